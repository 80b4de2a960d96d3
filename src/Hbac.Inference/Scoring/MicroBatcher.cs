using System.Diagnostics;
using System.Threading.Channels;
using Hbac.Eeg.Windows;
using Hbac.Inference.Profiling;
using Hbac.Onnx;

namespace Hbac.Inference.Scoring;

/// <summary>
/// Collects concurrent scoring requests into batches for one ONNX Runtime call: the first window
/// waits at most <c>maxDelay</c> for others, a batch holds at most <c>maxBatch</c> windows (a single
/// request of more windows, a ScoreBatch, runs alone). A batch holds windows of one input kind (the
/// spectrogram and the EEG-window model are different models); a window of the other kind starts the
/// next batch. One loop runs the batches in turn (ONNX Runtime already spreads one call over the
/// cores); each caller gets its own rows back, or the batch's exception.
/// <para>
/// Overload: at most <c>maxQueuedWindows</c> windows wait for a batch. A request that would go over
/// is refused at once with <see cref="ScoringOverloadedException"/> (and counted), so an overloaded
/// service answers "busy" in microseconds instead of letting latency and memory (1.44 MB per
/// window) grow without end; requests already queued are unaffected.
/// </para>
/// </summary>
public sealed class MicroBatcher : IAsyncDisposable
{
    /// <summary>
    /// The default queue bound, in batches: 8 x 16 = 128 windows = 185 MB of inputs, a few seconds of work
    /// for a full-resolution MobileNetV3 on 2 cores (25 ms of CPU per window measured under load). Deeper
    /// only adds waits no real-time client can use, and memory: with the bound at 16 x 16, bench load's
    /// overloaded 200-stream level (up to 200 windows waiting) peaked at 1.6 GB.
    /// </summary>
    public const int DefaultQueuedBatches = 8;

    private readonly IBatchScorer _scorer;
    private readonly InferenceMetrics? _metrics;
    private readonly StageProfile? _profile;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly float[] _buffer;
    private readonly Task _loop;
    private Pending? _carried;
    private int _queued;

    /// <param name="maxQueuedWindows">Most windows waiting for a batch; 0 = <see cref="DefaultQueuedBatches"/> x <paramref name="maxBatch"/>.</param>
    /// <param name="profile">Where the queue, batch copy and model stages are summed (null: nowhere).</param>
    public MicroBatcher(IBatchScorer scorer, int maxBatch, TimeSpan maxDelay, InferenceMetrics? metrics = null, int maxQueuedWindows = 0, StageProfile? profile = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxQueuedWindows, 0);
        _scorer = scorer;
        MaxBatch = maxBatch;
        MaxDelay = maxDelay;
        MaxQueuedWindows = maxQueuedWindows > 0 ? maxQueuedWindows : DefaultQueuedBatches * maxBatch;
        _metrics = metrics;
        _profile = profile;
        _buffer = new float[maxBatch * SpectrogramWindow.Size];
        _loop = Task.Run(RunAsync);
    }

    public int MaxBatch { get; }

    public TimeSpan MaxDelay { get; }

    /// <summary>Most windows that may wait for a batch; a request that would exceed it is refused.</summary>
    public int MaxQueuedWindows { get; }

    /// <summary>Windows accepted and not yet taken into a batch.</summary>
    public int QueuedWindows => Volatile.Read(ref _queued);

    /// <summary>
    /// Scores one [3,400,300] window (or the pooled input of a model that pools first) with the next batch. Throws <see cref="ScoringOverloadedException"/>
    /// (before queueing anything) when <see cref="MaxQueuedWindows"/> windows are already waiting.
    /// </summary>
    public Task<ScoredWindow> ScoreAsync(float[] window, CancellationToken cancellationToken = default) =>
        ScoreAsync(ModelInputKind.Spectrogram, window, cancellationToken);

    /// <summary>
    /// As <see cref="ScoreAsync(float[], CancellationToken)"/>, on the model of <paramref name="kind"/>. A
    /// window may be the pooled input of a model that pools first (<see cref="Hbac.Eeg.Windows.InputPooling"/>):
    /// windows of one length are batched together, and the model checks it takes that length.
    /// </summary>
    public Task<ScoredWindow> ScoreAsync(ModelInputKind kind, float[] window, CancellationToken cancellationToken = default) =>
        ScoreAsync(kind, window, InputPooling.None, cancellationToken);

    /// <summary>
    /// As <see cref="ScoreAsync(ModelInputKind, float[], CancellationToken)"/>, for a window formed with
    /// <paramref name="pooling"/> (<see cref="InputPooling.None"/>: whole): windows pooled otherwise are never batched
    /// together, and a model that pools otherwise refuses them (<see cref="InputPoolChangedException"/>).
    /// </summary>
    public Task<ScoredWindow> ScoreAsync(ModelInputKind kind, float[] window, InputPooling pooling, CancellationToken cancellationToken = default)
    {
        CheckWindowLength(kind, window.Length, nameof(window));
        return First(Enqueue(kind, pooling, window, 1, cancellationToken));

        static async Task<ScoredWindow> First(Task<IReadOnlyList<ScoredWindow>> rows) => (await rows)[0];
    }

    /// <summary>
    /// Scores <paramref name="count"/> windows [count,3,400,300] (or pooled for a model that pools first) in one
    /// model evaluation (so on one model version), queued with the single windows; refused like <see cref="ScoreAsync"/> when the
    /// windows would not fit in the queue.
    /// </summary>
    public Task<IReadOnlyList<ScoredWindow>> ScoreManyAsync(float[] windows, int count, CancellationToken cancellationToken = default) =>
        ScoreManyAsync(ModelInputKind.Spectrogram, windows, count, cancellationToken);

    /// <summary>As <see cref="ScoreManyAsync(float[], int, CancellationToken)"/>, on the model of <paramref name="kind"/> (ScoreRecording's batches).</summary>
    public Task<IReadOnlyList<ScoredWindow>> ScoreManyAsync(ModelInputKind kind, float[] windows, int count, CancellationToken cancellationToken = default) =>
        ScoreManyAsync(kind, windows, count, InputPooling.None, cancellationToken);

    /// <summary>As <see cref="ScoreManyAsync(ModelInputKind, float[], int, CancellationToken)"/>, for windows formed with <paramref name="pooling"/>.</summary>
    public Task<IReadOnlyList<ScoredWindow>> ScoreManyAsync(ModelInputKind kind, float[] windows, int count, InputPooling pooling, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (windows.Length % count != 0)
        {
            throw new ArgumentException($"windows hold {windows.Length} values, not {count} windows of one length", nameof(windows));
        }
        CheckWindowLength(kind, windows.Length / count, nameof(windows));
        return Enqueue(kind, pooling, windows, count, cancellationToken);
    }

    private static void CheckWindowLength(ModelInputKind kind, int length, string parameter)
    {
        // Either kind's window may be pooled for a model that pools first; the model checks it takes that length.
        if (length < 1 || length > SpectrogramWindow.Size)
        {
            throw new ArgumentException($"a window holds {length} values, expected {SpectrogramWindow.Size} ([3,400,300]) or fewer, pooled ({kind})", parameter);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private Task<IReadOnlyList<ScoredWindow>> Enqueue(ModelInputKind kind, InputPooling pooling, float[] windows, int count, CancellationToken cancellationToken)
    {
        // Reserve the places first: concurrent callers can never push the queue past its bound.
        if (Interlocked.Add(ref _queued, count) > MaxQueuedWindows)
        {
            Interlocked.Add(ref _queued, -count);
            _metrics?.RecordRejected(count);
            throw new ScoringOverloadedException(count, MaxQueuedWindows);
        }
        var pending = new Pending(kind, pooling, windows, count, Stopwatch.GetTimestamp(), cancellationToken);
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Add(ref _queued, -count);
            throw new ObjectDisposedException(nameof(MicroBatcher));
        }
        return pending.Result.Task;
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Pending>(MaxBatch);
        while (_carried is not null || await reader.WaitToReadAsync())
        {
            batch.Clear();
            await CollectAsync(reader, batch);
            if (batch.Count > 0)
            {
                Run(batch);
            }
        }
    }

    private bool TryTake(ChannelReader<Pending> reader, out Pending pending)
    {
        if (_carried is { } carried)
        {
            _carried = null;
            pending = carried;
            return true;
        }
        if (reader.TryRead(out pending!))
        {
            Interlocked.Add(ref _queued, -pending.Count);
            return true;
        }
        return false;
    }

    private async Task CollectAsync(ChannelReader<Pending> reader, List<Pending> batch)
    {
        long? deadline = null;
        var windows = 0;
        while (windows < MaxBatch)
        {
            if (TryTake(reader, out var next))
            {
                if (next.IsCancelled)
                {
                    continue;
                }
                if (windows > 0 && (windows + next.Count > MaxBatch || next.Kind != batch[0].Kind || next.Pooling != batch[0].Pooling || next.WindowLength != batch[0].WindowLength))
                {
                    // Does not fit, or is for the other model or pooled otherwise: it starts the next batch.
                    _carried = next;
                    return;
                }
                batch.Add(next);
                windows += next.Count;
                deadline ??= Stopwatch.GetTimestamp() + (long)(MaxDelay.TotalSeconds * Stopwatch.Frequency);
                continue;
            }
            var remaining = deadline is null ? TimeSpan.Zero : Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline.Value);
            if (batch.Count == 0 || remaining <= TimeSpan.Zero)
            {
                return;
            }
            using var timeout = new CancellationTokenSource(remaining);
            try
            {
                if (!await reader.WaitToReadAsync(timeout.Token))
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Run(List<Pending> batch)
    {
        var size = batch[0].WindowLength;
        var kind = batch[0].Kind;
        var copy = StageStart.Now();
        foreach (var pending in batch)
        {
            _profile?.RecordWall(kind, ServingStage.Queue, pending.Count, Stopwatch.GetElapsedTime(pending.Enqueued, copy.Timestamp));
        }
        ReadOnlyMemory<float> input;
        var n = 0;
        if (batch.Count == 1)
        {
            // One request: the model reads its windows where they are.
            input = batch[0].Windows.AsMemory(0, batch[0].Count * size);
            n = batch[0].Count;
        }
        else
        {
            foreach (var pending in batch)
            {
                pending.Windows.AsSpan(0, pending.Count * size).CopyTo(_buffer.AsSpan(n * size, pending.Count * size));
                n += pending.Count;
            }
            input = _buffer.AsMemory(0, n * size);
        }
        _profile?.Record(kind, ServingStage.BatchCopy, n, copy);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var results = _scorer.ScoreBatch(kind, input, n, batch[0].Pooling);
            var elapsed = Stopwatch.GetElapsedTime(started);
            var executionProvider = results.Count > 0 ? results[0].ExecutionProvider : "";
            var precision = results.Count > 0 ? results[0].Precision : "";
            _metrics?.RecordBatch(n, elapsed, executionProvider, precision);
            _profile?.RecordWall(kind, ServingStage.Model, n, elapsed);
            var rows = results as ScoredWindow[] ?? [.. results];
            var row = 0;
            foreach (var pending in batch)
            {
                var waited = Stopwatch.GetElapsedTime(pending.Enqueued);
                for (var i = 0; i < pending.Count; i++)
                {
                    _metrics?.RecordRequest(waited, executionProvider, precision);
                }
                pending.Complete(new ArraySegment<ScoredWindow>(rows, row, pending.Count));
                row += pending.Count;
            }
        }
        catch (Exception e)
        {
            foreach (var pending in batch)
            {
                pending.Fail(e);
            }
        }
    }

    private sealed class Pending
    {
        private readonly CancellationTokenRegistration _registration;

        public Pending(ModelInputKind kind, InputPooling pooling, float[] windows, int count, long enqueued, CancellationToken cancellationToken)
        {
            Kind = kind;
            Pooling = pooling;
            Windows = windows;
            Count = count;
            Enqueued = enqueued;
            _registration = cancellationToken.Register(() => Result.TrySetCanceled(cancellationToken));
        }

        public ModelInputKind Kind { get; }

        public InputPooling Pooling { get; }

        public float[] Windows { get; }

        public int Count { get; }

        public int WindowLength => Windows.Length / Count;

        public long Enqueued { get; }

        public TaskCompletionSource<IReadOnlyList<ScoredWindow>> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool IsCancelled => Result.Task.IsCompleted;

        public void Complete(IReadOnlyList<ScoredWindow> results)
        {
            _registration.Dispose();
            Result.TrySetResult(results);
        }

        public void Fail(Exception e)
        {
            _registration.Dispose();
            Result.TrySetException(e);
        }
    }
}

/// <summary>The batcher's queue is full: the service is overloaded (mapped to gRPC ResourceExhausted).</summary>
public sealed class ScoringOverloadedException(int windows, int limit)
    : Exception($"server overloaded: the scoring queue holds at most {limit} waiting windows (Hbac:MaxQueuedWindows) and has no room for {(windows == 1 ? "this window" : $"these {windows} windows")}; retry later")
{
    public int Limit { get; } = limit;
}

/// <summary>
/// Windows formed for one input pool reached a model that pools otherwise (a model with another pool was activated
/// while they waited): they are not what it reads. Score forms its input again, a stream ends (Unavailable) and a
/// report fails.
/// </summary>
public sealed class InputPoolChangedException(string modelVersion, InputPooling formed, InputPooling modelPooling)
    : Exception($"windows formed for the input pool {formed} reached model {modelVersion}, whose input pool is {modelPooling}")
{
    public InputPooling ModelPooling { get; } = modelPooling;
}
