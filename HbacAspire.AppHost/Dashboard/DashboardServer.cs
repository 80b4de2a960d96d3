using System.Net;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using HbacAspire.AppHost.Supervision;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HbacAspire.AppHost.Dashboard;

/// <summary>Everything the dashboard reads.</summary>
public sealed record DashboardSources(
    Supervisor Supervisor, TrainingRunsBoard Training, ModelsBoard Models, ServiceMetricsPoller Metrics, AppHostStatus Status);

/// <summary>
/// The dashboard: one static page (embedded) that polls <c>/api/state</c>, served by Kestrel on loopback.
/// The page arrives with the current state already embedded, so it shows data before its first poll.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    public const int RecentLogLines = 40;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private const string InitialStateMarker = "/*INITIAL_STATE*/null";

    private readonly WebApplication _app;

    private DashboardServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>Starts on 127.0.0.1:<paramref name="port"/> (0 = a free port; see <see cref="Url"/>).</summary>
    public static async Task<DashboardServer> StartAsync(int port, DashboardSources sources, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = Json.PropertyNamingPolicy;
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
        });
        var app = builder.Build();

        var page = ReadPage();
        app.MapGet("/", () =>
        {
            // Escape "</" so no value can close the script element the state sits in.
            var state = JsonSerializer.Serialize(State(sources), Json).Replace("</", "<\\/", StringComparison.Ordinal);
            return Results.Content(page.Replace(InitialStateMarker, state, StringComparison.Ordinal), "text/html; charset=utf-8");
        });
        app.MapGet("/api/state", () => TypedResults.Json(State(sources), Json));
        app.MapGet("/api/logs/{name}", (string name, int? tail) =>
        {
            var runner = sources.Supervisor.Runners.FirstOrDefault(r => r.Resource.Name == name);
            return runner is null
                ? Results.NotFound(new { error = $"no resource '{name}'" })
                : Results.Json(runner.Logs.Tail(tail ?? runner.Logs.Capacity), Json);
        });

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DashboardServer(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
    }

    public static DashboardState State(DashboardSources sources)
    {
        var resources = sources.Supervisor.Runners
            .Select(r => new ResourceView(r.Snapshot(), r.Logs.Tail(RecentLogLines)))
            .ToList();
        return new DashboardState(
            new AppHostView(Environment.ProcessId, sources.Status.Home, sources.Status.StartedAt, sources.Status.Ready,
                sources.Status.ReadyWhen, sources.Status.Job, DateTimeOffset.UtcNow),
            resources,
            new TrainingView(sources.Training.Snapshot()),
            sources.Models.Snapshot(),
            sources.Metrics.Inference());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string ReadPage()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("dashboard.html")
            ?? throw new InvalidOperationException("dashboard.html is not embedded in the AppHost");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
