using Hbac.Eeg.Formats.Edf;
using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Montage;

namespace Hbac.Eeg.Formats;

/// <summary>A recording already in memory (a Kaggle parquet, or an EDF that needed resampling), handed out in chunks.</summary>
internal sealed class InMemoryChunkedRecording : ChunkedRecording
{
    private readonly IReadOnlyList<float[]> _columns;
    private readonly IReadOnlyList<EdfAnnotation> _annotations;

    private InMemoryChunkedRecording(EegRecording recording, IReadOnlyList<EdfAnnotation> annotations)
    {
        _columns = [.. KaggleMontage.Columns.Select(c => recording.Channel(c) ?? new float[recording.Length])];
        _annotations = annotations;
    }

    public override IReadOnlyList<EdfAnnotation> Annotations => _annotations;

    public static InMemoryChunkedRecording FromParquet(string path)
    {
        var recording = EegParquetReader.Read(path);
        var found = recording.Channels.ToHashSet(StringComparer.Ordinal);
        var missing = KaggleMontage.ChainElectrodes.Where(e => !found.Contains(e)).ToList();
        if (missing.Count > 0)
        {
            throw EdfMontage.TooFewElectrodes(path, missing, [], [.. recording.Channels]);
        }
        return new InMemoryChunkedRecording(recording, [])
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

    /// <summary>An EDF/BDF loaded whole and resampled to 200 Hz by <see cref="EdfRecordingLoader"/>.</summary>
    public static InMemoryChunkedRecording FromEdf(EdfFile file)
    {
        var montage = EdfRecordingLoader.Montage(file);
        var recording = EdfRecordingLoader.Load(file, montage);
        return new InMemoryChunkedRecording(recording, file.Annotations)
        {
            Source = file.SourceName,
            Format = file.Variant,
            Gaps = file.Gaps,
            Labels = file.Labels,
            Mapped = montage.Mapped,
            Montage = montage.Kind,
            Electrodes = montage.Electrodes,
            SourceSampleRateHz = montage.Signals.Where(s => s != montage.SignalOfColumn[^1]).Max(s => file.Signals[s].SampleRateHz),
            DurationSeconds = recording.DurationSeconds,
            Streamed = false,
        };
    }

    public override IEnumerable<float[][]> Chunks(int seconds)
    {
        var length = _columns[0].Length;
        var step = seconds * KaggleMontage.SampleRateHz;
        for (var start = 0; start < length; start += step)
        {
            var count = Math.Min(step, length - start);
            yield return [.. _columns.Select(c => c.AsSpan(start, count).ToArray())];
        }
    }
}
