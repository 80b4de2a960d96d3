using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HbacAspire.AppHost.Tests;

/// <summary>
/// In-test gRPC services speaking the hbac.v1 contracts on real Kestrel (h2c, a free loopback port),
/// built on the service defaults as the real services are: <c>grpc.health.v1</c> and <c>/health</c>
/// report the host's health checks, and every other RPC requires <see cref="TestApiKey"/>. The AppHost's job
/// and health checks talk to it as to a real service.
/// </summary>
internal sealed class FakeServiceHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeServiceHost(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The gRPC address, as the AppHost's "grpc" endpoint of a service would give it.</summary>
    public Uri Address => new($"http://127.0.0.1:{Port}");

    public IServiceProvider Services => _app.Services;

    public static async Task<FakeServiceHost> StartAsync(Action<IServiceCollection> services, Action<WebApplication> map)
    {
        var port = Hbac.Tests.RedisTestServer.FreeLoopbackPort();
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Configuration[TestApiKey.Setting] = TestApiKey.Value;
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

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
