using HbacAspire.AppHost.Health;
using HbacAspire.AppHost.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using static HbacAspire.AppHost.Tests.TestSupport;

namespace HbacAspire.AppHost.Tests;

/// <summary>
/// In-test gRPC services speaking the hbac.v1 contracts on real Kestrel (h2c, a free loopback port,
/// the service defaults' /health), and stand-in resources whose health is that host's: the AppHost's
/// feeds and jobs talk to them as to the real services.
/// </summary>
internal sealed class FakeServiceHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _http = new();

    private FakeServiceHost(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<FakeServiceHost> StartAsync(Action<IServiceCollection> services, Action<WebApplication> map)
    {
        var port = Hbac.Tests.RedisTestServer.FreeLoopbackPort();
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.AddServiceDefaults();
        builder.AddGrpcServiceDefaults();
        services(builder.Services);
        var app = builder.Build();
        map(app);
        app.MapGrpcDefaultEndpoints();
        app.MapDefaultEndpoints();
        await app.StartAsync();
        return new FakeServiceHost(app, port);
    }

    /// <summary>A resource that runs a sleeping process and is healthy while this host answers /health.</summary>
    public Resource StandIn(string name) =>
        new Resource(name, ResourceKind.Project, Shell("exec sleep 300"), new HttpHealthProbe(new Uri($"http://127.0.0.1:{Port}/health"), http2: true, _http))
            .WithEndpoint(new ResourceEndpoint("grpc", "http", Port));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _http.Dispose();
    }
}
