using Hbac.Training.Extensions;
using Hbac.Training.Runs;
using Microsoft.Extensions.Options;

namespace Hbac.Training.Execution;

/// <summary>
/// Takes queued runs in order and executes them until the service stops. Runs share the cores
/// (<see cref="TrainingServiceOptions.EffectiveCores"/>): the next run starts as soon as the threads it uses
/// are free, so two quick runs (1 thread each) train side by side on 2 cores while a seed run (every core)
/// runs alone. The first in the queue always goes first.
/// </summary>
public sealed class TrainingWorker(ITrainingRuns runs, RunExecutor executor, IOptions<TrainingServiceOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var cores = options.Value.EffectiveCores;
        using var free = new SemaphoreSlim(cores, cores);
        var running = new List<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            TrainingRun run;
            try
            {
                run = await runs.DequeueAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            var needed = Math.Clamp(run.Plan.Options.Threads, 1, cores);
            var acquired = 0;
            try
            {
                for (; acquired < needed; acquired++)
                {
                    await free.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException)
            {
                // Stopping: the run still gets its final state (cancelled) from the executor.
            }
            var held = acquired;
            running.Add(Task.Run(async () =>
            {
                try
                {
                    await executor.ExecuteAsync(run, stoppingToken);
                }
                finally
                {
                    if (held > 0)
                    {
                        free.Release(held);
                    }
                }
            }, CancellationToken.None));
            running.RemoveAll(task => task.IsCompleted);
        }
        await Task.WhenAll(running);
    }
}
