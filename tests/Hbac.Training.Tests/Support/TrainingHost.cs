using Grpc.Net.Client;
using Hbac.Caching;
using Hbac.Contracts.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using TrainingClient = Hbac.Contracts.V1.Training.TrainingClient;

namespace Hbac.Training.Tests.Support;

/// <summary>
/// The real training Program in a TestServer over a data root and a temporary model repository, with the
/// Redis cache and announcements replaced by in-memory ones that count (Redis itself: the stack tests).
/// </summary>
internal sealed class TrainingHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string> _settings;
    private readonly bool _realRedis;

    /// <param name="redisConnection">A real Redis for the cache and announcements; null = the in-memory fakes.</param>
    public TrainingHost(string dataRoot, IReadOnlyDictionary<string, string>? settings = null, string? redisConnection = null)
    {
        _realRedis = redisConnection is not null;
        Home = Directory.CreateTempSubdirectory("hbac-training-tests-").FullName;
        Repository = Path.Combine(Home, "models");
        _settings = Settings(dataRoot, Repository, redisConnection);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            _settings[key] = value;
        }
        try
        {
            Channel = CreateChannel(TestApiKey.Value);
        }
        catch
        {
            // The host did not start (a test of bad settings): nothing else will remove the folder.
            Directory.Delete(Home, recursive: true);
            throw;
        }
        Client = new TrainingClient(Channel);
    }

    public string Home { get; }

    /// <summary>The settings a test service runs with, before a test's own.</summary>
    public static Dictionary<string, string> Settings(string dataRoot, string repository, string? redisConnection = null) => new()
    {
        ["Hbac:DataRoot"] = dataRoot,
        [TestApiKey.Setting] = TestApiKey.Value,
        ["Hbac:ModelRepository"] = repository,
        ["Hbac:Threads"] = "2",
        ["Hbac:StepEventInterval"] = "1",
        // Unless a real Redis is given, never contacted: the fakes replace everything that would use it.
        ["ConnectionStrings:redis"] = redisConnection ?? "127.0.0.1:1",
    };

    /// <summary>A channel on the test server whose calls carry <paramref name="apiKey"/> (null: none).</summary>
    public GrpcChannel CreateChannel(string? apiKey) =>
        ApiKeyChannel.ForAddress(Server.BaseAddress, apiKey, new GrpcChannelOptions { HttpHandler = Server.CreateHandler() });

    public string Repository { get; }

    public MemoryTensorCache Cache { get; } = new();

    public MemoryModelAnnouncements Announcements { get; } = new();

    public GrpcChannel Channel { get; }

    public TrainingClient Client { get; }

    /// <summary>Every folder in the repository, hidden and temporary ones included.</summary>
    public IReadOnlyList<string> RepositoryFolders() =>
        Directory.Exists(Repository) ? Directory.GetDirectories(Repository).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList() : [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.UseEnvironment("Development");
        builder.ConfigureTestServices(services =>
        {
            if (_realRedis)
            {
                return;
            }
            services.AddSingleton<ITensorCache>(Cache);
            services.AddSingleton<IModelAnnouncements>(Announcements);
        });
    }

    public override async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await base.DisposeAsync();
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
            // A file may still be open for a moment; the OS cleans the temp folder.
        }
    }
}
