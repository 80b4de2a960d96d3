using Hbac.Eeg.Formats.Edf;
using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Montage;

namespace Hbac.Eeg.Formats;

/// <summary>A recording already in memory (a Kaggle parquet: 50 s), handed out in chunks.</summary>
internal sealed class InMemoryChunkedRecording : ChunkedRecording
{
    private readonly IReadOnlyList<float[]> _columns;

    private InMemoryChunkedRecording(EegRecording recording)
    {
        _columns = [.. KaggleMontage.Columns.Select(c => recording.Channel(c) ?? new float[recording.Length])];
    }

    public override IReadOnlyList<EdfAnnotation> Annotations => [];

    public static InMemoryChunkedRecording FromParquet(string path)
    {
        var recording = EegParquetReader.Read(path);
        var found = recording.Channels.ToHashSet(StringComparer.Ordinal);
        var missing = KaggleMontage.ChainElectrodes.Where(e => !found.Contains(e)).ToList();
        if (missing.Count > 0)
        {
            throw EdfMontage.TooFewElectrodes(path, missing, [], [.. recording.Channels]);
        }
        return new InMemoryChunkedRecording(recording)
        {
            Source = path,
            Format = "Kaggle EEG parquet",
            Labels = recording.Channels,
            Mapped = [.. KaggleMontage.Columns.Where(found.Contains).Select(c => (c, c))],
            Electrodes = [.. KaggleMontage.Electrodes.Where(found.Contains)],
            SourceSampleRateHz = recording.SampleRateHz,
            DurationSeconds = recording.DurationSeconds,
            Streamed = false,
        };
    }

    public override IEnumerable<RecordingChunk> ReadChunks(int seconds)
    {
        var length = _columns[0].Length;
        var step = seconds * KaggleMontage.SampleRateHz;
        for (var start = 0; start < length; start += step)
        {
            var count = Math.Min(step, length - start);
            yield return new RecordingChunk([.. _columns.Select(c => c.AsSpan(start, count).ToArray())], Chains: null);
        }
    }
}
