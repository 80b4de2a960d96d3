using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HbacAspire.AppHost.Restarts;

/// <summary>
/// Aspire does not restart a crashed process by itself. This watches every resource that carries a
/// <see cref="RestartPolicyAnnotation"/> (each replica on its own) through Aspire's resource
/// notifications; when one exits on its own with a failure code while the app runs, it waits the
/// back-off delay and runs the resource's own "start" command, as a person would from the
/// dashboard. A stop that someone asked for (the dashboard's Stop, the app shutting down) passes
/// through the Stopping state first, and such a resource stays stopped. The restart count shows as
/// the resource's "Restarts" property, and each restart is a line in the resource's console log.
/// </summary>
public sealed class CrashRestarter(
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    ResourceLoggerService logs,
    IHostApplicationLifetime lifetime,
    ILogger<CrashRestarter> logger) : BackgroundService
{
    public const string RestartsProperty = "hbac.restarts";

    private readonly ConcurrentDictionary<string, Replica> _replicas = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var policies = model.Resources
            .Select(r => (Resource: r, Policy: r.Annotations.OfType<RestartPolicyAnnotation>().FirstOrDefault()))
            .Where(p => p.Policy is not null)
            .ToDictionary(p => p.Resource, p => p.Policy!);
        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken))
            {
                if (!policies.TryGetValue(update.Resource, out var policy))
                {
                    continue;
                }
                var replica = _replicas.GetOrAdd(update.ResourceId, _ => new Replica());
                var state = update.Snapshot.State?.Text;
                if (state == KnownResourceStates.Starting)
                {
                    replica.StartedAt = null;
                    replica.StopRequested = false;
                }
                if (state == KnownResourceStates.Running && replica.StartedAt is null)
                {
                    replica.StartedAt = DateTime.UtcNow;
                    replica.StopRequested = false;
                }
                if (state == KnownResourceStates.Stopping)
                {
                    replica.StopRequested = true;
                }
                if (!IsCrash(state, update.Snapshot.ExitCode) || replica.StopRequested || replica.Pending
                    || lifetime.ApplicationStopping.IsCancellationRequested)
                {
                    continue;
                }
                replica.Pending = true;
                _ = RestartAsync(update.Resource, update.ResourceId, replica, policy.Backoff, update.Snapshot.ExitCode, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The AppHost is stopping.
        }
    }

    /// <summary>Exited with a failure code (DCP reports -1 for a process killed by a signal), or failed to start.</summary>
    public static bool IsCrash(string? state, int? exitCode) =>
        state == KnownResourceStates.FailedToStart
        || ((state == KnownResourceStates.Exited || state == KnownResourceStates.Finished) && exitCode is { } code && code != 0);

    /// <summary>How long one start command may take before it counts as failed and is tried again.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private async Task RestartAsync(IResource resource, string resourceId, Replica replica, BackoffPolicy backoff, int? exitCode, CancellationToken stopping)
    {
        var log = logs.GetLogger(resourceId);
        try
        {
            // A process that ran for a while before crashing starts again from the first delay.
            var ranFor = DateTime.UtcNow - (replica.StartedAt ?? DateTime.UtcNow);
            replica.ConsecutiveCrashes = ranFor >= backoff.StableAfter ? 1 : replica.ConsecutiveCrashes + 1;
            var delay = backoff.Delay(replica.ConsecutiveCrashes);
            log.LogWarning("crashed (exit code {ExitCode}); restart {Restart} in {Delay:F1} s", exitCode?.ToString() ?? "none", replica.Restarts + 1, delay.TotalSeconds);
            logger.LogWarning("{Resource} crashed (exit code {ExitCode}); restarting in {Delay:F1} s", resourceId, exitCode, delay.TotalSeconds);
            // A start command can fail, throw or never answer (DCP on a loaded machine): then it is tried
            // again after the next delay, until the process runs, someone else starts it, or the app stops.
            for (var attempt = 1; ; attempt++)
            {
                await Task.Delay(delay, stopping);
                if (lifetime.ApplicationStopping.IsCancellationRequested || replica.StopRequested)
                {
                    return;
                }
                if (notifications.TryGetCurrentState(resourceId, out var current)
                    && current.Snapshot.State?.Text is { } state && (state == KnownResourceStates.Running || (attempt == 1 && state == KnownResourceStates.Starting)))
                {
                    return; // started from the dashboard meanwhile (or, after a start that hung, running at last)
                }
                replica.StartedAt = null;
                log.LogInformation("restart {Restart}: starting (attempt {Attempt})", replica.Restarts + 1, attempt);
                var failure = await StartAsync(resourceId, stopping);
                if (failure is null)
                {
                    replica.Restarts++;
                    await notifications.PublishUpdateAsync(resource, resourceId, snapshot => snapshot with
                    {
                        Properties = snapshot.Properties.With(RestartsProperty, replica.Restarts),
                    });
                    return;
                }
                replica.ConsecutiveCrashes++;
                delay = backoff.Delay(replica.ConsecutiveCrashes);
                log.LogError("restart {Restart} failed: {Error}; trying again in {Delay:F1} s", replica.Restarts + 1, failure, delay.TotalSeconds);
                logger.LogError("restarting {Resource} failed: {Error}; trying again in {Delay:F1} s", resourceId, failure, delay.TotalSeconds);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The AppHost is stopping.
        }
        finally
        {
            replica.Pending = false;
        }
    }

    /// <summary>Runs the resource's start command; null when it started, else why not.</summary>
    private async Task<string?> StartAsync(string resourceId, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(StartTimeout);
        try
        {
            var result = await commands.ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand, timeout.Token);
            return result.Success ? null : result.Message ?? "the start command failed without a message";
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return $"the start command did not finish within {StartTimeout.TotalSeconds:F0} s";
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return $"{exception.GetType().Name}: {exception.Message}";
        }
    }

    private sealed class Replica
    {
        public volatile bool Pending;
        public volatile bool StopRequested;
        public DateTime? StartedAt;
        public int ConsecutiveCrashes;
        public int Restarts;
    }
}
