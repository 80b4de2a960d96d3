using System.Net;
using System.Net.Sockets;
using HbacAspire.AppHost.Dashboard;
using HbacAspire.AppHost.Feeds;
using HbacAspire.AppHost.Model;
using HbacAspire.AppHost.Readiness;
using HbacAspire.AppHost.Supervision;

namespace HbacAspire.AppHost;

/// <summary>
/// The AppHost's lifetime: resolve ports, build the app model, start the dashboard and the
/// supervisor, print <c>endpoint &lt;resource&gt; &lt;url&gt;</c> lines and later <c>ready</c> on stdout
/// (status lines go to stderr, so scripts read stdout only), then stop everything on cancellation.
/// </summary>
public static class AppHostRunner
{
    public static async Task<int> RunAsync(
        AppHostOptions requested, TextWriter output, TextWriter status, CancellationToken stopping,
        Func<AppHostOptions, ProjectLocator, HttpClient, GrpcChannels, DistributedApp>? model = null, ProjectLocator? projects = null)
    {
        var statusGate = new Lock();
        void Report(string line)
        {
            lock (statusGate)
            {
                status.WriteLine($"{DateTime.Now:HH:mm:ss} {line}");
            }
        }

        // Children a killed AppHost left behind hold our ports: end them before checking the ports.
        var home = Path.GetFullPath(requested.Home);
        var registry = new ChildRegistry(Path.Combine(home, "run", "children.json"));
        foreach (var line in registry.KillLeftovers())
        {
            Report(line);
        }
        registry.Clear();
        var options = ResolvePorts(requested with { Home = home });
        Directory.CreateDirectory(options.LogDirectory);
        // The services' data root must exist before they start; the default job fills it.
        Directory.CreateDirectory(options.Data ?? options.GeneratedDataDirectory);

        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
        {
            Timeout = TimeSpan.FromSeconds(5),
        };
        using var channels = new GrpcChannels();
        var app = (model ?? AppModel.Create)(options, projects ?? ProjectLocator.FromAppHost(), http, channels);
        foreach (var note in app.Notes)
        {
            Report(note);
        }
        var resources = app.Build(options.Only);

        await using var supervisor = new Supervisor(
            resources, new SupervisorOptions
            {
                LogDirectory = options.LogDirectory,
                Registry = registry,
                Backoff = BackoffPolicy.Default with { Initial = options.RestartDelay },
            }, Report);
        var training = new TrainingRunsBoard();
        var models = new ModelsBoard();
        var metrics = new ServiceMetricsPoller(supervisor, http);
        var appStatus = new AppHostStatus(options.Home, app.Readiness.Description);
        await using var dashboard = await DashboardServer.StartAsync(
            options.DashboardPort, new DashboardSources(supervisor, training, models, metrics, appStatus), stopping);

        output.WriteLine($"endpoint dashboard {dashboard.Url.ToString().TrimEnd('/')}");
        foreach (var resource in resources)
        {
            foreach (var endpoint in resource.Endpoints)
            {
                output.WriteLine($"endpoint {resource.Name} {endpoint.Url}");
            }
        }
        output.Flush();

        supervisor.Start();
        using var background = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var jobContext = new AppHostJobContext(options, supervisor, training, models, Report, appStatus);
        var tasks = new List<Task> { RunQuietly("metrics", metrics.RunAsync, background.Token, Report) };
        tasks.AddRange(app.Jobs.Select(job => RunQuietly(job.Name, token => job.Run(jobContext, token), background.Token, Report)));

        try
        {
            await WaitUntilReadyAsync(app.Readiness, supervisor, http, stopping);
            appStatus.Ready = true;
            output.WriteLine("ready");
            output.Flush();
            Report($"ready ({app.Readiness.Description}); dashboard at {dashboard.Url}");
            await Task.Delay(Timeout.Infinite, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Ctrl+C / SIGTERM.
        }

        Report("stopping");
        await background.CancelAsync();
        await Task.WhenAll(tasks);
        await supervisor.StopAsync();
        registry.Clear();
        Report("stopped");
        return 0;
    }

    /// <summary>Ports of 0 become free loopback ports; a fixed port already in use is a user error.</summary>
    public static AppHostOptions ResolvePorts(AppHostOptions options) => options with
    {
        DashboardPort = Port(options.DashboardPort, "--dashboard-port"),
        PreprocessingPort = Port(options.PreprocessingPort, "--preprocessing-port"),
        TrainingPort = Port(options.TrainingPort, "--training-port"),
        InferencePort = Port(options.InferencePort, "--inference-port"),
        RedisPort = Port(options.RedisPort, "--redis-port"),
    };

    private static int Port(int port, string flag)
    {
        if (port is < 0 or > 65535)
        {
            throw new AppHostException($"{flag}: {port} is not a port (0 picks a free one)");
        }
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        catch (SocketException)
        {
            throw new AppHostException($"{flag}: port {port} on 127.0.0.1 is in use (is another stack running? {flag} 0 picks a free one)");
        }
    }

    private static async Task WaitUntilReadyAsync(IReadinessCheck readiness, Supervisor supervisor, HttpClient http, CancellationToken stopping)
    {
        while (true)
        {
            stopping.ThrowIfCancellationRequested();
            if (await readiness.IsReadyAsync(new ReadinessContext(supervisor.Snapshot(), http), stopping))
            {
                return;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), stopping);
        }
    }

    private static async Task RunQuietly(string name, Func<CancellationToken, Task> run, CancellationToken stopping, Action<string> report)
    {
        try
        {
            await run(stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception exception)
        {
            report($"job {name} failed: {exception.Message}");
        }
    }
}
