using System.Threading.Channels;
using Hbac.Training.Extensions;
using HbacAspire.ServiceDefaults.Requests;
using Microsoft.Extensions.Options;

namespace Hbac.Training.Runs;

/// <summary>
/// Runs in memory, newest last, with a bounded number waiting. Finished runs beyond the history
/// limit are forgotten oldest first; queued and running ones never are.
/// </summary>
public sealed class RunRegistry(RunPlanner planner, IOptions<TrainingServiceOptions> options, TimeProvider time) : ITrainingRuns
{
    private readonly Lock _gate = new();
    private readonly List<TrainingRun> _runs = [];
    private readonly Dictionary<string, TrainingRun> _byId = new(StringComparer.Ordinal);
    private readonly Channel<TrainingRun> _queue = Channel.CreateUnbounded<TrainingRun>(new UnboundedChannelOptions { SingleReader = true });

    public TrainingRun Start(RunRequest request)
    {
        var plan = planner.Plan(request);
        TrainingRun run;
        lock (_gate)
        {
            var limit = options.Value.MaxQueuedRuns;
            if (_runs.Count(r => r.Status == RunStatus.Queued) >= limit)
            {
                throw new RequestRejectedException(Rejection.LimitExceeded,
                    $"queue: {limit} runs are already waiting (runs train one at a time); start this one after some have finished");
            }
            run = new TrainingRun(NewId(), plan, time);
            _runs.Add(run);
            _byId[run.Id] = run;
            ForgetOldRunsLocked();
        }
        _queue.Writer.TryWrite(run);
        return run;
    }

    public TrainingRun Get(string runId)
    {
        if (string.IsNullOrWhiteSpace(runId))
        {
            throw new RequestRejectedException(Rejection.InvalidArgument, "run_id: required");
        }
        lock (_gate)
        {
            return _byId.TryGetValue(runId, out var run)
                ? run
                : throw new RequestRejectedException(Rejection.NotFound, $"run_id: no run '{StatusDetail.Echo(runId)}' (unknown, or forgotten after the service restarted)");
        }
    }

    public IReadOnlyList<TrainingRun> List(int limit)
    {
        lock (_gate)
        {
            return _runs.AsEnumerable().Reverse().Take(limit).ToList();
        }
    }

    public async Task<TrainingRun> CancelAsync(string runId, TimeSpan wait, CancellationToken cancellationToken)
    {
        var run = Get(runId);
        run.Cancel();
        try
        {
            await run.Finished.WaitAsync(wait, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Still between two steps: the caller gets RUNNING and sees CANCELLED on WatchRun or GetRun.
        }
        return run;
    }

    public ValueTask<TrainingRun> DequeueAsync(CancellationToken cancellationToken) => _queue.Reader.ReadAsync(cancellationToken);

    private void ForgetOldRunsLocked()
    {
        var excess = _runs.Count - options.Value.MaxRunHistory;
        for (var i = 0; i < _runs.Count && excess > 0;)
        {
            if (_runs[i].Status.IsFinal())
            {
                _byId.Remove(_runs[i].Id);
                _runs.RemoveAt(i);
                excess--;
            }
            else
            {
                i++;
            }
        }
    }

    // Sortable by creation time (to the second) and unique: the listing and logs read in order.
    private string NewId() => $"run-{time.GetUtcNow():yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";
}
