using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Montage;
using Hbac.Eeg.Spectrograms;

namespace Hbac.Eeg.Tests.Hardening;

/// <summary>Small valid files of each format, as the readers' hardening tests and property tests damage them.</summary>
internal static class HardeningFiles
{
    /// <summary>A [400, columns] spectrogram parquet as <see cref="SpectrogramParquetWriter"/> writes it (values 1 + r + c/10).</summary>
    public static byte[] Spectrogram(int columns = 6)
    {
        var values = new float[SpectrogramLayout.Rows * columns];
        for (var r = 0; r < SpectrogramLayout.Rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                values[r * columns + c] = 1 + r + c / 10f;
            }
        }
        var times = Enumerable.Range(0, columns).Select(c => 1f + 2 * c).ToArray();
        using var folder = new TempFolder();
        var path = folder.File("s.parquet");
        SpectrogramParquetWriter.Write(path, new Spectrogram(values, times));
        return File.ReadAllBytes(path);
    }

    /// <summary>A Kaggle-layout EEG parquet of <paramref name="rows"/> samples as <see cref="EegParquetWriter"/> writes it.</summary>
    public static byte[] Eeg(int rows = 300, Parquet.CompressionMethod compression = Parquet.CompressionMethod.Snappy)
    {
        var samples = KaggleMontage.Columns.Select((_, c) => Enumerable.Range(0, rows).Select(i => (float)Math.Sin(i * 0.1 + c)).ToArray()).ToArray();
        using var folder = new TempFolder();
        var path = folder.File("e.parquet");
        EegParquetWriter.Write(path, new EegRecording(KaggleMontage.Columns, samples, KaggleMontage.SampleRateHz), compression);
        return File.ReadAllBytes(path);
    }

    /// <summary>A Kaggle-layout EEG parquet whose columns are REQUIRED (no nulls), as some producers write them.</summary>
    public static byte[] EegWithRequiredColumns(int rows, Parquet.CompressionMethod compression) =>
        EegWithRequiredColumnsAsync(rows, compression).GetAwaiter().GetResult();

    private static async Task<byte[]> EegWithRequiredColumnsAsync(int rows, Parquet.CompressionMethod compression)
    {
        var fields = KaggleMontage.Columns.Select(name => new Parquet.Schema.DataField<float>(name)).ToArray();
        using var stream = new MemoryStream();
        await using (var writer = await Parquet.ParquetWriter.CreateAsync(new Parquet.Schema.ParquetSchema(fields), stream,
            new Parquet.ParquetOptions { CompressionMethod = compression }))
        {
            using var rowGroup = writer.CreateRowGroup();
            for (var c = 0; c < fields.Length; c++)
            {
                var values = Enumerable.Range(0, rows).Select(i => (float)Math.Sin(i * 0.1 + c)).ToArray();
                await rowGroup.WriteAsync<float>(fields[c], values);
            }
        }
        return stream.ToArray();
    }

    public static string Save(TempFolder folder, string name, byte[] bytes)
    {
        var path = folder.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
