using Hbac.Eeg.Formats;
using Hbac.Eeg.Formats.Npy;
using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Spectrograms;
using Hbac.Eeg.Windows;

namespace Hbac.Eeg.Tests.Formats;

public sealed class SpectrogramFilesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hbac-spectrogram-files-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static Spectrogram Ramp(int columns, Func<int, float>? value = null)
    {
        var values = new float[SpectrogramLayout.Rows * columns];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = value?.Invoke(i) ?? 1f + i % 97;
        }
        var times = Enumerable.Range(0, columns).Select(k => 1f + 2f * k).ToArray();
        return new Spectrogram(values, times);
    }

    [Fact]
    public void ParquetAndNpyOfOneSpectrogramGiveTheSameWindow()
    {
        var spectrogram = Ramp(350);
        var parquet = Path.Combine(_folder, "s.parquet");
        var npy = Path.Combine(_folder, "s.npy");
        SpectrogramParquetWriter.Write(parquet, spectrogram);
        SpectrogramNpy.Write(npy, spectrogram);

        var expected = SpectrogramWindow.Decode(spectrogram, 40);
        Assert.Equal(expected, SpectrogramFiles.ReadWindow(parquet, 40));
        Assert.Equal(expected, SpectrogramFiles.ReadWindow(npy, 40));
        Assert.Equal(spectrogram.Times, SpectrogramFiles.Load(npy).Times);
    }

    [Theory]
    [InlineData("s.parquet")]
    [InlineData("s.npy")]
    public void AnAllNaNSpectrogramIsRefusedInEitherFormat(string name)
    {
        // The .npy of hbac convert holds 0 for NaN; a NumPy user's own file may still hold NaN.
        var path = Path.Combine(_folder, name);
        var spectrogram = Ramp(20, _ => float.NaN);
        if (name.EndsWith(".npy"))
        {
            NpyWriter.Write(path, spectrogram.Values, [SpectrogramLayout.Rows, 20]);
        }
        else
        {
            SpectrogramParquetWriter.Write(path, spectrogram);
        }
        var e = Assert.Throws<EegDataException>(() => SpectrogramFiles.ReadWindow(path, 0));
        Assert.Equal($"{path}: every one of the 8000 values is NaN: nothing to score", e.Message);
    }

    [Fact]
    public void AnOffsetPastTheEndIsRefusedWithTheSpectrogramsLength()
    {
        var path = Path.Combine(_folder, "short.npy");
        SpectrogramNpy.Write(path, Ramp(20));
        Assert.Equal(400 * 300 * 3, SpectrogramFiles.ReadWindow(path, 38).Length);
        var e = Assert.Throws<EegDataException>(() => SpectrogramFiles.ReadWindow(path, 40));
        Assert.Equal($"{path}: --offset 40 s is past the spectrogram's end (40 s)", e.Message);
    }

    [Theory]
    [InlineData(-2.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void ANegativeOrNonFiniteOffsetIsRefused(double offset)
    {
        var e = Assert.Throws<EegDataException>(() => SpectrogramFiles.ReadWindow(Path.Combine(_folder, "any.npy"), offset));
        Assert.Equal($"--offset: {offset} must be a number of seconds >= 0", e.Message);
    }

    [Fact]
    public void AMissingFileAFolderAndAnUnknownExtensionAreNamed()
    {
        var missing = Path.Combine(_folder, "missing.parquet");
        Assert.Equal($"{missing}: file not found", Assert.Throws<EegDataException>(() => SpectrogramFiles.Load(missing)).Message);

        var folder = Directory.CreateDirectory(Path.Combine(_folder, "a.parquet")).FullName;
        Assert.Equal($"{folder}: is a folder, not a spectrogram file", Assert.Throws<EegDataException>(() => SpectrogramFiles.Load(folder)).Message);

        var csv = Path.Combine(_folder, "s.csv");
        File.WriteAllText(csv, "time,LL_0.59\n1,2.5\n");
        Assert.Equal($"{csv}: unsupported spectrogram format '.csv' (expected .parquet, .npy)",
            Assert.Throws<EegDataException>(() => SpectrogramFiles.Load(csv)).Message);
    }

    [SharedDataFact]
    public void KagglesTestSpectrogramDecodesAsItsParquetReaderGivesIt()
    {
        var path = SharedData.File("hms/test_spectrograms/853520.parquet");
        Assert.Equal(SpectrogramWindow.Decode(SpectrogramParquetReader.Read(path), 0), SpectrogramFiles.ReadWindow(path, 0));
    }
}
