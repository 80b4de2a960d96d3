using Hbac.Contracts.V1;
using HbacAspire.AppHost.Scripts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HbacAspire.AppHost.Jobs;

/// <summary>
/// Runs the <see cref="DefaultJob"/> once at start (in <c>--job</c>'s mode) and again whenever a
/// command asks, one run at a time. It publishes the job resource's state - Waiting, Running,
/// "Training spectrogram" / "Training EEG" while a run of that kind trains, Finished or Failed with
/// the result - and writes its lines to the resource's log.
/// </summary>
public sealed class DefaultJobRunner(
    DefaultJobResource resource,
    AppHostOptions options,
    ParameterResource apiKey,
    IReadOnlyDictionary<string, IResourceBuilder<ProjectResource>> services,
    ResourceNotificationService notifications,
    ResourceLoggerService logs,
    ScriptOutput output) : BackgroundService
{
    public const string ResultProperty = "hbac.job.result";

    private int _running;
    private CancellationToken _stopping;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        return TryStart(options.Job) ?? Task.CompletedTask;
    }

    /// <summary>Starts a run in <paramref name="mode"/> for <paramref name="kinds"/> (null = both); null when one is already running.</summary>
    public Task? TryStart(DefaultJobMode mode, IReadOnlyList<ModelInputKind>? kinds = null)
    {
        if (Interlocked.CompareExchange(ref _running, 1, 0) != 0)
        {
            return null;
        }
        return Task.Run(() => RunAsync(mode, kinds, _stopping));
    }

    public bool IsRunning => Volatile.Read(ref _running) != 0;

    private async Task RunAsync(DefaultJobMode mode, IReadOnlyList<ModelInputKind>? kinds, CancellationToken stopping)
    {
        var log = logs.GetLogger(resource);
        var environment = new AspireJobEnvironment(services, apiKey, notifications, log, output,
            state => PublishAsync(new ResourceStateSnapshot(state, KnownResourceStateStyles.Success), state));
        try
        {
            await PublishAsync(new ResourceStateSnapshot("Waiting", KnownResourceStateStyles.Info), $"mode {mode.ToString().ToLowerInvariant()}: waiting for the services");
            using var job = new DefaultJob(options);
            var running = PublishAsync(new ResourceStateSnapshot(KnownResourceStates.Running, KnownResourceStateStyles.Success), "running", started: true);
            await running;
            var result = await job.RunAsync(environment, mode, stopping, kinds);
            environment.Report("done: " + result);
            await PublishAsync(new ResourceStateSnapshot(KnownResourceStates.Finished, KnownResourceStateStyles.Success), result, stopped: true, exitCode: 0);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The AppHost is stopping.
        }
        catch (JobFailedException failure)
        {
            environment.Report("failed: " + failure.Message);
            await PublishAsync(new ResourceStateSnapshot("Failed", KnownResourceStateStyles.Error), failure.Message, stopped: true, exitCode: 1);
        }
        catch (Exception exception)
        {
            log.LogError(exception, "the job failed");
            output.Status("job: failed: " + exception.Message);
            await PublishAsync(new ResourceStateSnapshot("Failed", KnownResourceStateStyles.Error), exception.Message, stopped: true, exitCode: 1);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    private Task PublishAsync(ResourceStateSnapshot state, string result, bool started = false, bool stopped = false, int? exitCode = null) =>
        notifications.PublishUpdateAsync(resource, snapshot => snapshot with
        {
            State = state,
            StartTimeStamp = started ? DateTime.UtcNow : snapshot.StartTimeStamp,
            StopTimeStamp = stopped ? DateTime.UtcNow : started ? null : snapshot.StopTimeStamp,
            ExitCode = exitCode,
            Properties = snapshot.Properties.With(ResultProperty, result),
        });
}
