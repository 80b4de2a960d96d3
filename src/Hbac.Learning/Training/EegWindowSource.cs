using System.Collections.Concurrent;
using Hbac.Eeg;
using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Montage;
using Hbac.Eeg.Windows;

namespace Hbac.Learning.Training;

/// <summary>
/// The window source of EEG-window runs: <c>&lt;eeg_id&gt;.parquet</c> files of a Kaggle EEG folder, each
/// labelled 50-s window turned into its [3, 400, 300] input by <see cref="EegWindow"/>. Every epoch
/// revisits the same windows, so each input plane is computed once and kept (at most
/// <paramref name="maxCachedValues"/> floats, default 2^28 = 1 GiB, about 2,200 windows; beyond that
/// the oldest are computed again when asked). Recordings stay loaded up to 256 MiB of samples, as several
/// labels share one EEG and the first epoch visits them in shuffled order.
/// </summary>
public sealed class EegWindowSource(string eegFolder, long maxCachedValues = 1L << 28) : ITrainingWindowSource
{
    // Recordings kept loaded, by their samples (2^26 floats = 256 MiB): the first epoch visits windows in
    // shuffled order, and with only the last 6 recordings kept nearly every window re-read its parquet file
    // (the default synthetic data: 377 training windows from ~70 EEGs).
    private const long RecordingValuesKept = 1L << 26;

    private readonly ConcurrentDictionary<(long, int), Lazy<Task<float[]>>> _planes = new();
    private readonly ConcurrentQueue<(long, int)> _insertionOrder = new();
    private readonly Dictionary<long, Task<EegRecording>> _recordings = new();
    private readonly Queue<long> _recordingOrder = new();
    private readonly Lock _gate = new();
    private long _cachedValues;
    private int _loads;

    public string Folder { get; } = eegFolder;

    /// <summary>EEG files read so far (a file is read again only after it left the small recording cache).</summary>
    public int Loads => _loads;

    public async ValueTask ReadWindowAsync(long eegId, double offsetSeconds, Memory<float> destination, CancellationToken ct = default)
    {
        if (destination.Length != EegWindow.Size)
        {
            throw new ArgumentException($"destination holds {destination.Length} floats, expected {EegWindow.Size}", nameof(destination));
        }
        var key = (eegId, EegWindow.StartSample(offsetSeconds));
        var entry = _planes.GetOrAdd(key, k => new Lazy<Task<float[]>>(() => ComputeAsync(k.Item1, k.Item2, ct)));
        float[] plane;
        try
        {
            plane = await entry.Value.ConfigureAwait(false);
        }
        catch
        {
            _planes.TryRemove(new KeyValuePair<(long, int), Lazy<Task<float[]>>>(key, entry));
            throw;
        }
        var span = destination.Span;
        plane.CopyTo(span[..EegWindow.PlaneSize]);
        EegWindow.FillHemisphereChannels(span);
    }

    private async Task<float[]> ComputeAsync(long eegId, int start, CancellationToken ct)
    {
        var recording = await RecordingAsync(eegId, ct).ConfigureAwait(false);
        var path = PathOf(eegId);
        if (start + EegWindow.Samples > recording.Length)
        {
            throw EegDataException.InFile(path,
                $"the labelled 50-s window from {start / (double)EegWindow.SampleRateHz:0.##} s ends after the recording ({recording.DurationSeconds:0.##} s)");
        }
        var columns = KaggleMontage.Columns.Select(recording.Channel).ToArray();
        var input = new float[EegWindow.Size];
        EegWindow.Compute(columns, start, input);
        var plane = input[..EegWindow.PlaneSize];
        Account((eegId, start), plane.Length);
        return plane;
    }

    private Task<EegRecording> RecordingAsync(long eegId, CancellationToken ct)
    {
        lock (_gate)
        {
            if (_recordings.TryGetValue(eegId, out var loading) && !loading.IsFaulted && !loading.IsCanceled)
            {
                return loading;
            }
            var load = Task.Run(() =>
            {
                Interlocked.Increment(ref _loads);
                return EegParquetReader.Read(PathOf(eegId));
            }, ct);
            _recordings[eegId] = load;
            _recordingOrder.Enqueue(eegId);
            while (_recordingOrder.Count > 1 && KeptRecordingValues() > RecordingValuesKept && _recordingOrder.TryDequeue(out var oldest))
            {
                if (oldest != eegId)
                {
                    _recordings.Remove(oldest);
                }
            }
            return load;
        }
    }

    private long KeptRecordingValues() => _recordings.Values
        .Where(t => t.IsCompletedSuccessfully)
        .Sum(t => (long)t.Result.Samples.Count * t.Result.Length);

    private void Account((long, int) key, int values)
    {
        _insertionOrder.Enqueue(key);
        var total = Interlocked.Add(ref _cachedValues, values);
        while (total > maxCachedValues && _insertionOrder.TryPeek(out var oldest) && oldest != key && _insertionOrder.TryDequeue(out oldest))
        {
            if (_planes.TryRemove(oldest, out var evicted) && evicted.Value.IsCompletedSuccessfully)
            {
                total = Interlocked.Add(ref _cachedValues, -evicted.Value.Result.Length);
            }
        }
    }

    private string PathOf(long eegId)
    {
        var path = Path.Combine(Folder, $"{eegId}.parquet");
        return File.Exists(path) ? path : throw EegDataException.InFile(path, $"not found (the labels name eeg_id {eegId}: train.csv for training, test.csv for predict)");
    }
}
