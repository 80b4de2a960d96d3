using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Hbac.Training.Runs;

/// <summary>
/// One run: its plan, its state and the append-only log of its updates. Watchers read the log at their
/// own pace (each keeps its position), so a slow watcher never holds up training, and a replaying
/// watcher sees the very records a live one saw.
/// </summary>
public sealed class TrainingRun
{
    private readonly Lock _gate = new();
    private readonly List<RunUpdate> _updates = [];
    private readonly CancellationTokenSource _cancellation = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeProvider _time;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _startTimestamp;
    private RunStatus _status = RunStatus.Queued;
    private DateTimeOffset? _startedAt;
    private DateTimeOffset? _finishedAt;
    private int _epoch;
    // Both stages' epochs as planned, until the trainer says how many it runs (no second stage without windows for it).
    private int? _epochs;
    private double _bestValidationLoss = double.NaN;
    private string? _modelVersion;
    private string? _error;

    public TrainingRun(string id, RunPlan plan, TimeProvider time)
    {
        Id = id;
        Plan = plan;
        _time = time;
        CreatedAt = time.GetUtcNow();
    }

    public string Id { get; }

    /// <summary>The trace context of the request that queued the run: its training span hangs under that request.</summary>
    public System.Diagnostics.ActivityContext RequestedIn { get; } = System.Diagnostics.Activity.Current?.Context ?? default;

    public RunPlan Plan { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>Cancelled by <see cref="Cancel"/>; the executor passes it to the trainer.</summary>
    public CancellationToken CancellationToken => _cancellation.Token;

    /// <summary>Completes once the run has its final state.</summary>
    public Task Finished => _finished.Task;

    public RunStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    /// <summary>Time since the run started (zero while queued).</summary>
    public TimeSpan Elapsed
    {
        get
        {
            lock (_gate)
            {
                return _startTimestamp == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_startTimestamp);
            }
        }
    }

    public RunSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new RunSnapshot(Id, _status, Plan, CreatedAt, _startedAt, _finishedAt, _epoch, _epochs ?? Plan.Options.TotalEpochs,
                _bestValidationLoss, _modelVersion, _error);
        }
    }

    /// <summary>Queued -> running; false when the run was cancelled while it waited.</summary>
    public bool TryStart()
    {
        lock (_gate)
        {
            if (_status != RunStatus.Queued)
            {
                return false;
            }
            _status = RunStatus.Running;
            _startedAt = _time.GetUtcNow();
            _startTimestamp = Stopwatch.GetTimestamp();
            return true;
        }
    }

    /// <summary>
    /// Asks the run to stop. A queued run ends CANCELLED at once; a running one when the trainer notices
    /// (between steps). A finished run is left as it is.
    /// </summary>
    public void Cancel()
    {
        bool wasQueued;
        lock (_gate)
        {
            if (_status.IsFinal())
            {
                return;
            }
            wasQueued = _status == RunStatus.Queued;
            if (wasQueued)
            {
                // Final before the worker can start it: TryStart sees CANCELLED and skips it.
                FinishLocked(RunStatus.Cancelled, null, null);
            }
        }
        _cancellation.Cancel();
        if (wasQueued)
        {
            _finished.TrySetResult();
        }
    }

    /// <summary>Records a progress update (not <see cref="RunUpdate.Finished"/>: use <see cref="Finish"/>).</summary>
    public void Record(RunUpdate update)
    {
        if (update is RunUpdate.Finished)
        {
            throw new ArgumentException("use Finish for the final update", nameof(update));
        }
        lock (_gate)
        {
            if (_status.IsFinal())
            {
                return;
            }
            if (update is RunUpdate.Started started)
            {
                _epochs = started.Epochs;
            }
            if (update is RunUpdate.EpochEnded epoch)
            {
                _epoch = epoch.Epoch;
                if (double.IsNaN(_bestValidationLoss) || epoch.ValidationLoss < _bestValidationLoss)
                {
                    _bestValidationLoss = epoch.ValidationLoss;
                }
            }
            AppendLocked(update);
        }
    }

    /// <summary>Gives the run its final state and records the last update; false when it already had one.</summary>
    public bool Finish(RunStatus status, string? modelVersion, string? error)
    {
        if (!status.IsFinal())
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "a run finishes SUCCEEDED, FAILED or CANCELLED");
        }
        lock (_gate)
        {
            if (_status.IsFinal())
            {
                return false;
            }
            FinishLocked(status, modelVersion, error);
        }
        _finished.TrySetResult();
        return true;
    }

    /// <summary>
    /// The run's updates until it finishes (or <paramref name="cancellationToken"/> fires): with
    /// <paramref name="replay"/> from the first, otherwise from the next one recorded after this call
    /// (the position is fixed here, not at the first read). A finished run without replay yields its final update.
    /// </summary>
    public IAsyncEnumerable<RunUpdate> Watch(bool replay, CancellationToken cancellationToken = default)
    {
        int first;
        lock (_gate)
        {
            first = replay ? 0 : _status.IsFinal() ? _updates.Count - 1 : _updates.Count;
        }
        return ReadFromAsync(first, cancellationToken);
    }

    private async IAsyncEnumerable<RunUpdate> ReadFromAsync(int next, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            RunUpdate[] batch;
            Task changed;
            lock (_gate)
            {
                batch = _updates.Count > next ? _updates.GetRange(next, _updates.Count - next).ToArray() : [];
                changed = _changed.Task;
            }
            foreach (var update in batch)
            {
                yield return update;
                next++;
                if (update is RunUpdate.Finished)
                {
                    yield break;
                }
            }
            if (batch.Length == 0)
            {
                await changed.WaitAsync(cancellationToken);
            }
        }
    }

    private void FinishLocked(RunStatus status, string? modelVersion, string? error)
    {
        _status = status;
        _finishedAt = _time.GetUtcNow();
        _modelVersion = modelVersion;
        _error = error;
        var elapsed = _startTimestamp == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_startTimestamp);
        AppendLocked(new RunUpdate.Finished(status, modelVersion, _bestValidationLoss, error, elapsed));
    }

    private void AppendLocked(RunUpdate update)
    {
        _updates.Add(update with { Sequence = _updates.Count + 1, Time = _time.GetUtcNow() });
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }
}
