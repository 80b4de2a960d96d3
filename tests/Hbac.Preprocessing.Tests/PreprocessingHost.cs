using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Grpc.Net.Client;
using Hbac.Contracts.Security;
using Hbac.Tests;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using PreprocessingClient = Hbac.Contracts.V1.Preprocessing.PreprocessingClient;

namespace Hbac.Preprocessing.Tests;

/// <summary>
/// The real Program in a TestServer with a data root and a Redis connection string (a live redis-server,
/// or a free port where nothing listens: the service then runs without the cache), plus a gRPC client on it.
/// </summary>
public sealed class PreprocessingHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string> _settings;
    private readonly bool _kestrel;

    /// <param name="kestrel">Serve on real Kestrel at a free 127.0.0.1 port instead of a TestServer (for Kestrel's own limits).</param>
    public PreprocessingHost(string dataRoot, string? redisConnection = null, IReadOnlyDictionary<string, string>? settings = null, bool kestrel = false)
    {
        _settings = new Dictionary<string, string>
        {
            ["Hbac:DataRoot"] = dataRoot,
            [TestApiKey.Setting] = TestApiKey.Value,
            ["ConnectionStrings:redis"] = redisConnection ?? $"127.0.0.1:{RedisTestServer.FreeLoopbackPort()}",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            _settings[key] = value;
        }
        _kestrel = kestrel;
        if (kestrel)
        {
            UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
            StartServer();
        }
        Channel = CreateChannel(TestApiKey.Value);
        Client = new PreprocessingClient(Channel);
    }

    /// <summary>A channel to the service (on the test server, or on its loopback port) whose calls carry <paramref name="apiKey"/> (null: none).</summary>
    public GrpcChannel CreateChannel(string? apiKey) =>
        _kestrel
            ? ApiKeyChannel.ForAddress(Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First(), apiKey,
                new GrpcChannelOptions { MaxReceiveMessageSize = null, MaxSendMessageSize = null })
            : ApiKeyChannel.ForAddress(Server.BaseAddress, apiKey, new GrpcChannelOptions
            {
                HttpHandler = Server.CreateHandler(),
                MaxReceiveMessageSize = null,
                MaxSendMessageSize = null,
            });

    public GrpcChannel Channel { get; }

    public PreprocessingClient Client { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // UseSetting reaches the configuration before Program reads it (the Redis connection string is read at build time).
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.UseEnvironment("Development");
    }

    public override async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await base.DisposeAsync();
    }
}
