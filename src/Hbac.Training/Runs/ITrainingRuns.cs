namespace Hbac.Training.Runs;

/// <summary>The runs the service knows: queue new ones, look them up, cancel them. Refusals are RequestRejectedExceptions naming the field.</summary>
public interface ITrainingRuns
{
    /// <summary>Validates and queues a run; LimitExceeded when the queue is full.</summary>
    TrainingRun Start(RunRequest request);

    /// <summary>The run, or NotFound naming <c>run_id</c>.</summary>
    TrainingRun Get(string runId);

    /// <summary>At most <paramref name="limit"/> runs, newest first.</summary>
    IReadOnlyList<TrainingRun> List(int limit);

    /// <summary>
    /// Cancels a queued or running run and waits (up to <paramref name="wait"/>) until it has its final
    /// state; a finished run is returned as it is.
    /// </summary>
    Task<TrainingRun> CancelAsync(string runId, TimeSpan wait, CancellationToken cancellationToken);

    /// <summary>The next queued run for the worker (runs cancelled while queued are skipped by the worker).</summary>
    ValueTask<TrainingRun> DequeueAsync(CancellationToken cancellationToken);
}
