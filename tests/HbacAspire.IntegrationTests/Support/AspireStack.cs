using System.Collections.Concurrent;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using HbacAspire.AppHost.Replicas;
using Grpc.Net.Client;
using Hbac.Contracts.Security;
using Hbac.Contracts.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HbacAspire.IntegrationTests.Support;

/// <summary>
/// The AppHost's app model started by Aspire.Hosting.Testing (<c>--job none</c>, every port free,
/// <paramref name="data"/> as the data folder): the real redis-server (or Garnet) and the three
/// services run by DCP. It follows every resource's state, health, PID and restarts through
/// Aspire's notifications, and keeps each one's log tail for failure messages.
/// </summary>
internal sealed class AspireStack : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ResourceEvent> _latest = new(StringComparer.Ordinal);
    // Keyed by resource id: a replicated project has one id per replica under its one name.
    private readonly ConcurrentDictionary<string, ResourceEvent> _latestById = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _logs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _watching = new();
    private bool _stopped;

    private AspireStack(DistributedApplication app, string home)
    {
        App = app;
        Home = home;
    }

    public DistributedApplication App { get; }

    public string Home { get; }

    public string ModelRepository => Path.Combine(Home, "models");

    public ResourceNotificationService Notifications => App.Services.GetRequiredService<ResourceNotificationService>();

    public static readonly string[] Services = ["preprocessing", "training", "inference"];

    public static Task<AspireStack> StartAsync(string home, string data, params string[] extra) =>
        StartWithAsync(home, ["--job", "none", "--data", data, .. extra]);

    /// <summary>Starts the app model with <paramref name="arguments"/> after <c>--home</c> and free ports.</summary>
    public static async Task<AspireStack> StartWithAsync(string home, string[] arguments)
    {
        string[] args =
        [
            "--home", home,
            "--preprocessing-port", "0", "--training-port", "0", "--inference-port", "0", "--redis-port", "0",
            .. arguments,
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.HbacAspire_AppHost>(args);
        var app = await builder.BuildAsync();
        var stack = new AspireStack(app, home);
        stack.Follow();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await app.StartAsync(timeout.Token);
        return stack;
    }

    /// <summary>Waits until every service and Redis report Healthy.</summary>
    public async Task WaitUntilHealthyAsync(double seconds = 180)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            foreach (var name in Services.Prepend("redis"))
            {
                await Notifications.WaitForResourceHealthyAsync(name, WaitBehavior.WaitOnResourceUnavailable, timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the stack was not healthy within {seconds} s\n{Diagnostics()}");
        }
    }

    /// <summary>
    /// Waits until inference serves a model of each kind. The rescan can find a spectrogram model one
    /// pass before the EEG model published just after it, so waiting for one kind is not enough to stream.
    /// </summary>
    public Task WaitForReadyAsync(double seconds = 180) =>
        Wait.UntilAsync(async () =>
        {
            try
            {
                var models = await new Inference.InferenceClient(Channel("inference")).ListModelsAsync(
                    new ListModelsRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
                return models.ActiveVersion.Length > 0 && models.ActiveEegVersion.Length > 0;
            }
            catch (Grpc.Core.RpcException)
            {
                return false;
            }
        }, "inference to serve a spectrogram and an EEG model", seconds, Diagnostics);

    /// <summary>The URL of a resource's endpoint ("grpc" for services, "tcp" for redis), e.g. http://localhost:40123.</summary>
    public string Endpoint(string resource) =>
        App.GetEndpoint(resource, resource == "redis" ? "tcp" : "grpc").ToString().TrimEnd('/');

    /// <summary>The services' API key: the AppHost wrote it under --home before the app model was built.</summary>
    public string ApiKey => File.ReadAllText(Path.Combine(Home, ApiKeys.FileName)).Trim();

    /// <summary>One shared channel per resource, as a long-lived client holds it; its calls carry the key.</summary>
    public GrpcChannel Channel(string resource) => _channels.GetOrAdd(resource, NewChannel);

    public GrpcChannel NewChannel(string resource) => ApiKeyChannel.ForAddress(Endpoint(resource), ApiKey);

    /// <summary>A channel whose calls carry <paramref name="apiKey"/> (null: none).</summary>
    public GrpcChannel ChannelWithKey(string resource, string? apiKey) => ApiKeyChannel.ForAddress(Endpoint(resource), apiKey);

    public CustomResourceSnapshot? Snapshot(string resource) => _latest.TryGetValue(resource, out var e) ? e.Snapshot : null;

    public string? State(string resource) => Snapshot(resource)?.State?.Text;

    public HealthStatus? Health(string resource) => Snapshot(resource)?.HealthStatus;

    /// <summary>The PID DCP started for the resource (for a project: its <c>dotnet run</c>), or null while it has none.</summary>
    public int? Pid(string resource) => PidOf(Snapshot(resource));

    private static int? PidOf(CustomResourceSnapshot? snapshot) =>
        snapshot?.Properties.FirstOrDefault(p => p.Name.EndsWith(".pid", StringComparison.Ordinal))?.Value switch
        {
            int pid => pid,
            long pid => (int)pid,
            string text when int.TryParse(text, out var pid) => pid,
            _ => null,
        };

    /// <summary>The process that does the work: the service itself under its <c>dotnet run</c> wrapper, else the resource's PID.</summary>
    public int? ServicePid(string resource) => ServiceUnder(Pid(resource));

    private static int? ServiceUnder(int? wrapper) =>
        wrapper is { } pid ? Processes.Descendants(pid).LastOrDefault(p => Processes.CommandLine(p).Contains("Hbac.", StringComparison.Ordinal)) is var child and > 0 ? child : pid : null;

    /// <summary>Each replica of <paramref name="resource"/>: its resource id and latest snapshot.</summary>
    public IReadOnlyList<(string Id, CustomResourceSnapshot Snapshot)> Replicas(string resource) =>
        _latestById.Values.Where(e => e.Resource.Name == resource).OrderBy(e => e.ResourceId, StringComparer.Ordinal)
            .Select(e => (e.ResourceId, e.Snapshot)).ToList();

    /// <summary>
    /// A replica's own address behind the proxy (DCP gives each replica its port in ASPNETCORE_URLS), for
    /// asking one replica directly what it serves.
    /// </summary>
    public string ReplicaEndpoint(string resourceId)
    {
        var snapshot = _latestById.TryGetValue(resourceId, out var e) ? e.Snapshot : throw new InvalidOperationException($"no resource {resourceId}");
        return snapshot.OwnUrl() ?? throw new InvalidOperationException($"{resourceId} has no ASPNETCORE_URLS yet");
    }

    /// <summary>The PID of one replica's service process (under its dotnet-run wrapper).</summary>
    public int? ReplicaServicePid(string resourceId) => ServiceUnder(PidOf(_latestById.TryGetValue(resourceId, out var e) ? e.Snapshot : null));

    public string? ReplicaState(string resourceId) => _latestById.TryGetValue(resourceId, out var e) ? e.Snapshot.State?.Text : null;

    /// <summary>How many times the AppHost's restart policy restarted one replica.</summary>
    public int ReplicaRestarts(string resourceId) =>
        _latestById.TryGetValue(resourceId, out var e) && e.Snapshot.Properties.FirstOrDefault(p => p.Name == "hbac.restarts")?.Value is int count ? count : 0;

    /// <summary>How many times the AppHost's restart policy restarted the resource.</summary>
    public int Restarts(string resource) =>
        Snapshot(resource)?.Properties.FirstOrDefault(p => p.Name == "hbac.restarts")?.Value is int count ? count : 0;

    public async Task<ExecuteCommandResult> CommandAsync(string resource, string command)
    {
        var id = _latest.TryGetValue(resource, out var e) ? e.ResourceId : resource;
        return await App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(id, command);
    }

    public async Task<string> ConnectionStringAsync(string resource) =>
        await App.GetConnectionStringAsync(resource) ?? throw new InvalidOperationException($"{resource} has no connection string");

    /// <summary>The lines a resource wrote to its log so far (the last 200).</summary>
    public IReadOnlyList<string> Log(string resource) => _logs.TryGetValue(resource, out var log) ? [.. log] : [];

    /// <summary>A property of the resource's latest snapshot, e.g. the default job's "hbac.job.result".</summary>
    public object? Property(string resource, string name) => Snapshot(resource)?.Properties.FirstOrDefault(p => p.Name == name)?.Value;

    /// <summary>Every resource's state and health, and the last lines of each one's log.</summary>
    public string Diagnostics()
    {
        var lines = _latest.OrderBy(p => p.Key).Select(p =>
            $"{p.Key}: {p.Value.Snapshot.State?.Text} health={p.Value.Snapshot.HealthStatus} exit={p.Value.Snapshot.ExitCode} pid={Pid(p.Key)} restarts={Restarts(p.Key)}").ToList();
        foreach (var (name, log) in _logs.OrderBy(p => p.Key))
        {
            lines.Add($"--- {name} log (last lines)");
            lines.AddRange(log.TakeLast(25));
        }
        return string.Join('\n', lines);
    }

    /// <summary>Stops the app gracefully (services get SIGTERM) and returns how long it took.</summary>
    public async Task<TimeSpan> StopAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        _stopped = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await App.StopAsync(timeout.Token);
        return clock.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            try
            {
                await StopAsync();
            }
            catch (Exception exception) when (exception is OperationCanceledException or InvalidOperationException)
            {
                // Disposing below ends what is left.
            }
        }
        await _watching.CancelAsync();
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
        await App.DisposeAsync();
        _watching.Dispose();
        Processes.DeleteFolder(Home);
    }

    private void Follow()
    {
        var notifications = App.Services.GetRequiredService<ResourceNotificationService>();
        var logs = App.Services.GetRequiredService<ResourceLoggerService>();
        var watched = new ConcurrentDictionary<string, bool>();
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var update in notifications.WatchAsync(_watching.Token))
                {
                    _latest[update.Resource.Name] = update;
                    _latestById[update.ResourceId] = update;
                    if (watched.TryAdd(update.ResourceId, true))
                    {
                        _ = FollowLogAsync(logs, update.Resource.Name, update.ResourceId);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Disposed.
            }
        });
    }

    private async Task FollowLogAsync(ResourceLoggerService logs, string name, string id)
    {
        var log = _logs.GetOrAdd(name, _ => new ConcurrentQueue<string>());
        try
        {
            await foreach (var batch in logs.WatchAsync(id).WithCancellation(_watching.Token))
            {
                foreach (var line in batch)
                {
                    log.Enqueue(line.Content);
                    while (log.Count > 200 && log.TryDequeue(out _))
                    {
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }
}
