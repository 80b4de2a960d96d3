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

    public PreprocessingHost(string dataRoot, string? redisConnection = null, IReadOnlyDictionary<string, string>? settings = null)
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
        Channel = CreateChannel(TestApiKey.Value);
        Client = new PreprocessingClient(Channel);
    }

    /// <summary>A channel on the test server whose calls carry <paramref name="apiKey"/> (null: none).</summary>
    public GrpcChannel CreateChannel(string? apiKey) =>
        ApiKeyChannel.ForAddress(Server.BaseAddress, apiKey, new GrpcChannelOptions
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
