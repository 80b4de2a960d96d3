using Hbac.Eeg.Montage;
using Parquet;
using Parquet.Schema;

namespace Hbac.Eeg.Formats.Parquet;

/// <summary>
/// Writes raw EEG in the Kaggle layout: the 20 nullable FLOAT columns of <see cref="KaggleMontage.Columns"/>
/// in file order, one row per sample (200 Hz), one row group, Snappy. NaN is written as null.
/// </summary>
public static class EegParquetWriter
{
    public static void Write(string path, EegRecording recording) =>
        WriteAsync(path, recording).GetAwaiter().GetResult();

    public static Task WriteAsync(string path, EegRecording recording, CancellationToken cancellationToken = default) =>
        WriteAsync(path, recording, ParquetWriterSettings.Options, cancellationToken);

    /// <summary>With another codec than Snappy (gzip, zstd, ... as other producers write them).</summary>
    public static void Write(string path, EegRecording recording, CompressionMethod compression) =>
        WriteAsync(path, recording, new ParquetOptions { CompressionMethod = compression }).GetAwaiter().GetResult();

    private static async Task WriteAsync(string path, EegRecording recording, ParquetOptions options, CancellationToken cancellationToken = default)
    {
        if (Math.Abs(recording.SampleRateHz - KaggleMontage.SampleRateHz) > 1e-9)
        {
            throw new ArgumentException(
                $"Kaggle EEG files are {KaggleMontage.SampleRateHz} Hz, the recording is {recording.SampleRateHz} Hz", nameof(recording));
        }
        var channels = KaggleMontage.Columns
            .Select(name => recording.Channel(name)
                ?? throw new ArgumentException($"the recording has no {name} channel", nameof(recording)))
            .ToArray();
        var fields = KaggleMontage.Columns.Select(name => new DataField<float?>(name)).ToArray();

        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream, options, cancellationToken: cancellationToken);
        using var rowGroup = writer.CreateRowGroup();
        var column = new float?[recording.Length];
        for (var c = 0; c < fields.Length; c++)
        {
            ParquetWriterSettings.ToNullable(channels[c], column);
            await rowGroup.WriteAsync<float>(fields[c], column, cancellationToken: cancellationToken);
        }
    }
}
