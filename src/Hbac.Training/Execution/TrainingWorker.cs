using Hbac.Training.Runs;

namespace Hbac.Training.Execution;

/// <summary>Takes queued runs one at a time (a run uses every core) and executes them until the service stops.</summary>
public sealed class TrainingWorker(ITrainingRuns runs, RunExecutor executor) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TrainingRun run;
            try
            {
                run = await runs.DequeueAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await executor.ExecuteAsync(run, stoppingToken);
        }
    }
}
