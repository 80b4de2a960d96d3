using Hbac.Caching;
using Hbac.Inference.Extensions;
using Hbac.Onnx;
using Microsoft.Extensions.Options;

namespace Hbac.Inference.Models;

/// <summary>
/// Keeps the repository current off the request path: serves the newest valid version before the
/// service starts answering, reloads when the trainer announces a version on Redis, and rescans the
/// folder every few seconds in case an announcement was missed (Redis down, version copied by hand).
/// </summary>
public sealed partial class ModelWatcher(
    IModelRepository repository, IModelAnnouncements announcements, IOptions<InferenceOptions> options, ILogger<ModelWatcher> logger)
    : IHostedService, IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _polling = Task.CompletedTask;
    private IAsyncDisposable? _subscription;
    private Task? _stopping;
    private readonly Lock _stoppingLock = new();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync("start");
        LogServing(repository.ActiveVersion(ModelInputKind.Spectrogram) ?? "none", repository.ActiveVersion(ModelInputKind.Eeg) ?? "none");
        _subscription = await announcements.SubscribeAsync(version => RefreshAsync($"announcement of {version}"), cancellationToken);
        _polling = PollAsync(TimeSpan.FromSeconds(options.Value.PollIntervalSeconds), _stop.Token);
    }

    /// <summary>
    /// The host stops it and the container disposes it, in either order, perhaps at once: stop once, and let
    /// every caller wait for that stop, so the repository is never disposed under a refresh still running.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_stoppingLock)
        {
            return _stopping ??= StopOnceAsync();
        }
    }

    private async Task StopOnceAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _polling;
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        if (_subscription is not null)
        {
            try
            {
                await _subscription.DisposeAsync();
            }
            catch (ObjectDisposedException)
            {
                // The Redis connection was disposed first; the subscription died with it.
            }
            _subscription = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
    }

    private async Task PollAsync(TimeSpan interval, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stop))
        {
            await RefreshAsync("poll");
        }
    }

    private async Task RefreshAsync(string trigger)
    {
        try
        {
            // Loading a model is CPU work; keep it off the caller (a Redis callback or the poll timer).
            await Task.Run(() => repository.RefreshAsync(_stop.Token), _stop.Token);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogScanFailed(trigger, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model repository watched; serving spectrogram model {Spectrogram}, EEG-window model {Eeg}")]
    private partial void LogServing(string spectrogram, string eeg);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model repository scan ({Trigger}) failed: {Reason}")]
    private partial void LogScanFailed(string trigger, string reason);
}
