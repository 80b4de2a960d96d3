using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Grpc.Net.Client;
using Hbac.Caching;
using Hbac.Contracts.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Hbac.Inference.Tests.Support;

/// <summary>
/// The inference service in a TestServer over a temporary model repository and data root, with the
/// Redis cache and announcements replaced by in-memory ones (Redis itself is covered by the stack tests).
/// </summary>
internal sealed class InferenceFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string> _settings;
    private readonly bool _realRedis;
    private readonly Action<IServiceCollection>? _configureServices;

    /// <param name="redisConnection">A real Redis to use for the cache and announcements; null = in-memory fakes.</param>
    /// <param name="configureServices">Replaces services after the service's own registrations (e.g. a slow scorer).</param>
    /// <param name="kestrel">Serve on real Kestrel at a free 127.0.0.1 port instead of a TestServer (for Kestrel's own limits).</param>
    /// <param name="port">With <paramref name="kestrel"/>: this 127.0.0.1 port instead of a free one (a replica replacing another at its address).</param>
    public InferenceFactory(Action<string>? prepareRepository = null, IDictionary<string, string>? settings = null, string? redisConnection = null,
        Action<IServiceCollection>? configureServices = null, bool kestrel = false, int port = 0)
    {
        _kestrel = kestrel;
        if (kestrel)
        {
            UseKestrel(options => options.Listen(IPAddress.Loopback, port));
        }
        _realRedis = redisConnection is not null;
        _configureServices = configureServices;
        Home = Directory.CreateTempSubdirectory("hbac-inference-tests-").FullName;
        Repository = Path.Combine(Home, "models");
        DataRoot = Path.Combine(Home, "data");
        Directory.CreateDirectory(Repository);
        Directory.CreateDirectory(DataRoot);
        prepareRepository?.Invoke(Repository);
        _settings = new Dictionary<string, string>
        {
            ["Hbac:ModelRepository"] = Repository,
            ["Hbac:DataRoot"] = DataRoot,
            ["Hbac:PollIntervalSeconds"] = "0.2",
            [TestApiKey.Setting] = TestApiKey.Value,
            // Unless a real Redis is given, never contacted: the cache and announcements below replace everything that would use it.
            ["ConnectionStrings:redis"] = redisConnection ?? "127.0.0.1:1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            _settings[key] = value;
        }
    }

    public string Home { get; }

    public string Repository { get; }

    public string DataRoot { get; }

    public MemoryTensorCache Cache { get; } = new();

    public MemoryModelAnnouncements Announcements { get; } = new();

    private readonly bool _kestrel;

    /// <summary>The Kestrel address (http://127.0.0.1:port), starting the server; only with kestrel: true.</summary>
    public Uri KestrelAddress()
    {
        StartServer();
        return new Uri(Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
    }

    /// <summary>A channel whose calls carry <paramref name="apiKey"/> (default: the service's own key; null: none).</summary>
    public GrpcChannel CreateChannel(string? apiKey = TestApiKey.Value)
    {
        if (!_kestrel)
        {
            return ApiKeyChannel.ForAddress(Server.BaseAddress, apiKey, new GrpcChannelOptions { HttpHandler = Server.CreateHandler(), MaxReceiveMessageSize = null });
        }
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return ApiKeyChannel.ForAddress(address, apiKey, new GrpcChannelOptions { MaxReceiveMessageSize = null, MaxSendMessageSize = null });
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureTestServices(services =>
        {
            _configureServices?.Invoke(services);
            if (_realRedis)
            {
                return;
            }
            services.AddSingleton<ITensorCache>(Cache);
            services.AddSingleton<IModelAnnouncements>(Announcements);
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            try
            {
                Directory.Delete(Home, recursive: true);
            }
            catch (IOException)
            {
                // A session may still hold a file for a moment; the temp folder is cleaned by the OS.
            }
        }
    }
}
