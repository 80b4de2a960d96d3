using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Spectrograms;

namespace Hbac.Eeg.Tests.Formats;

public class SpectrogramTensorConversionTests
{
    [Fact]
    public async Task MissingPowerBecomesZeroAndEverythingElseIsKept()
    {
        var values = Enumerable.Range(0, SpectrogramLayout.Rows * 3).Select(i => i % 7 == 0 ? float.NaN : i * 0.5f).ToArray();
        var bytes = await ParquetBytesAsync(new Spectrogram(values, [1, 3, 5]));

        var converted = await SpectrogramTensorConversion.ReadAsync(bytes, "x.parquet");

        Assert.Equal(3, converted.Columns);
        Assert.Equal(values.Select(v => float.IsNaN(v) ? 0f : v), converted.Values);
    }

    [Fact]
    public async Task AFileWithoutRowsIsADataErrorNamingTheSource()
    {
        var bytes = await ParquetBytesAsync(new Spectrogram([], []));

        var error = await Assert.ThrowsAsync<EegDataException>(() => SpectrogramTensorConversion.ReadAsync(bytes, "empty.parquet"));

        Assert.StartsWith("empty.parquet:", error.Message);
    }

    private static async Task<byte[]> ParquetBytesAsync(Spectrogram spectrogram)
    {
        var path = Path.Combine(Path.GetTempPath(), $"hbac-conversion-{Guid.NewGuid():N}.parquet");
        try
        {
            await SpectrogramParquetWriter.WriteAsync(path, spectrogram);
            return await File.ReadAllBytesAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
