using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using HbacAspire.AppHost.Jobs;
using HbacAspire.AppHost.Restarts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using static HbacAspire.AppHost.Tests.TestSupport;

namespace HbacAspire.AppHost.Tests;

/// <summary>
/// The real app model of Program.cs as Aspire builds it from the AppHost's command line; built, never
/// started (no process runs). Values that DCP would resolve are read as publish-mode expressions.
/// </summary>
public sealed class AppModelTests
{
    private static readonly string[] Services = ["preprocessing", "training", "inference"];

    private static Task<IDistributedApplicationTestingBuilder> CreateAsync(string home, params string[] args) =>
        DistributedApplicationTestingBuilder.CreateAsync<Projects.HbacAspire_AppHost>(["--home", home, "--job", "none", .. args]);

    private static T Single<T>(IDistributedApplicationTestingBuilder builder, string name) where T : IResource =>
        Assert.IsType<T>(Assert.Single(builder.Resources, r => r.Name == name), exactMatch: false);

    [Fact]
    public async Task TheModelHasRedisTheThreeServicesAndTheDefaultJob()
    {
        await using var builder = await CreateAsync(TempDirectory());

        Assert.Equal(["api-key", "default-job", "inference", "preprocessing", "redis", "training"],
            builder.Resources.Where(r => r is not IResourceWithParent).Select(r => r.Name).Order());
        // Aspire's own hidden children (in run mode a "<project>-rebuilder" per project) hang off the services.
        Assert.All(builder.Resources.OfType<IResourceWithParent>(), child => Assert.Contains(child.Parent.Name, Services));
        var redis = Single<RedisServerResource>(builder, "redis");
        Assert.IsAssignableFrom<IResourceWithConnectionString>(redis);
        foreach (var name in Services)
        {
            Single<ProjectResource>(builder, name);
        }
        Single<DefaultJobResource>(builder, "default-job");
    }

    [Theory]
    [InlineData(new string[0], 1, 1)]
    [InlineData(new[] { "--inference-replicas", "3" }, 3, 1)]
    [InlineData(new[] { "--inference-replicas", "2", "--preprocessing-replicas", "4" }, 2, 4)]
    public async Task ReplicaFlagsBecomeReplicasOfAProxiedEndpointEachUnderTheRestartPolicy(string[] flags, int inference, int preprocessing)
    {
        await using var builder = await CreateAsync(TempDirectory(), flags);

        foreach (var (name, expected) in new[] { ("inference", inference), ("preprocessing", preprocessing), ("training", 1) })
        {
            var project = Single<ProjectResource>(builder, name);
            Assert.Equal(expected, project.Annotations.OfType<ReplicaAnnotation>().SingleOrDefault()?.Replicas ?? 1);
            // Replicas need DCP's proxy in front of them: one address for every client.
            Assert.True(Assert.Single(project.Annotations.OfType<EndpointAnnotation>()).IsProxied, $"{name}'s endpoint is not proxied");
            Assert.Single(project.Annotations.OfType<RestartPolicyAnnotation>());
        }
    }

    [Fact]
    public async Task TheDefaultJobCountsThePreprocessingReplicasThatTheModelGivesWithReplicas()
    {
        await using var builder = await CreateAsync(TempDirectory());
        var services = Services.ToDictionary(name => name, name => builder.CreateResourceBuilder<ProjectResource>(name));
        await using var app = await builder.BuildAsync();
        var environment = new AspireJobEnvironment(services, Single<ParameterResource>(builder, "api-key"),
            app.Services.GetRequiredService<ResourceNotificationService>(), NullLogger.Instance, HbacAspire.AppHost.Scripts.ScriptOutput.Console,
            _ => Task.CompletedTask);

        Assert.Equal(1, environment.Replicas("preprocessing"));
        services["preprocessing"].WithReplicas(3);
        // One PrepareDataset call per replica: the count is the one DCP starts (the project's ReplicaAnnotation).
        Assert.Equal(3, environment.Replicas("preprocessing"));
        Assert.Equal(1, environment.Replicas("inference"));
    }

    [Fact]
    public async Task RedisIsAProcessOnItsPortWithAPingCheckARestartPolicyAndItsEndpointAsConnectionString()
    {
        var home = TempDirectory();
        await using var builder = await CreateAsync(home, "--redis-port", "17380", "--restart-delay", "2.5");
        var redis = Single<RedisServerResource>(builder, "redis");

        var endpoint = Assert.Single(redis.Annotations.OfType<EndpointAnnotation>());
        Assert.Equal(RedisServerResource.EndpointName, endpoint.Name);
        Assert.Equal("tcp", endpoint.UriScheme);
        Assert.Equal(17380, endpoint.Port);
        Assert.Equal("redis-ping", Assert.Single(redis.Annotations.OfType<HealthCheckAnnotation>()).Key);
        Assert.Equal(TimeSpan.FromSeconds(2.5), Assert.Single(redis.Annotations.OfType<RestartPolicyAnnotation>()).Backoff.Initial);
        Assert.Equal(Path.Combine(home, "redis"), redis.WorkingDirectory);

        // ConnectionStrings__redis is the endpoint's host:port.
        Assert.Equal("{redis.bindings.tcp.host}:{redis.bindings.tcp.port}", redis.ConnectionStringExpression.ValueExpression);
        var provider = Assert.IsType<EndpointReferenceExpression>(Assert.Single(redis.ConnectionStringExpression.ValueProviders));
        Assert.Same(redis, provider.Endpoint.Resource);
        Assert.Equal(EndpointProperty.HostAndPort, provider.Property);
    }

    [Fact]
    public async Task RedisServerGarnetRunsTheEmbeddedServerPersistingUnderHome()
    {
        var home = TempDirectory();
        await using var builder = await CreateAsync(home, "--redis-server", "garnet");
        var redis = Single<RedisServerResource>(builder, "redis");

        Assert.Equal("dotnet", redis.Command);
        Assert.StartsWith("Garnet", redis.Server);
        var arguments = await ArgumentsAsync(redis);
        Assert.Equal("Hbac.RedisServer.dll", Path.GetFileName(arguments[0]));
        Assert.True(File.Exists(arguments[0]), $"{arguments[0]} does not exist");
        Assert.Equal(["--port", "{redis.bindings.tcp.targetPort}", "--bind", "127.0.0.1", "--checkpointdir", Path.Combine(home, "redis")], arguments[1..7]);
        Assert.Contains("--aof", arguments);
        Assert.Contains("--recover", arguments);
    }

    [Fact]
    public async Task RedisServerRedisRunsRedisServerFromPathOrIsRefusedWhereItIsNotInstalled()
    {
        var home = TempDirectory();
        if (Hbac.Tests.RedisTestServer.RedisServerPath is not { } redisServer)
        {
            var exception = await Assert.ThrowsAnyAsync<Exception>(() => CreateAsync(home, "--redis-server", "redis"));
            Assert.Contains("--redis-server redis: redis-server is not on PATH", exception.ToString());
            return;
        }
        await using var builder = await CreateAsync(home, "--redis-server", "redis");
        var redis = Single<RedisServerResource>(builder, "redis");
        Assert.Equal(redisServer, redis.Command);
        var arguments = await ArgumentsAsync(redis);
        Assert.Equal(["--port", "{redis.bindings.tcp.targetPort}", "--bind", "127.0.0.1"], arguments[..4]);
        Assert.Equal(Path.Combine(home, "redis"), arguments[Array.IndexOf(arguments, "--dir") + 1]);
        Assert.Equal("yes", arguments[Array.IndexOf(arguments, "--appendonly") + 1]);
    }

    [Fact]
    public async Task EachServiceHasAGrpcEndpointAHealthCheckAndARestartPolicyAndWaitsForRedis()
    {
        await using var builder = await CreateAsync(TempDirectory(), "--training-port", "0", "--inference-port", "17103", "--restart-delay", "0.5");
        var redis = Single<RedisServerResource>(builder, "redis");
        var ports = new Dictionary<string, int?> { ["preprocessing"] = 5101, ["training"] = null, ["inference"] = 17103 };

        foreach (var name in Services)
        {
            var service = Single<ProjectResource>(builder, name);
            var grpc = Assert.Single(service.Annotations.OfType<EndpointAnnotation>(), e => e.Name == "grpc");
            Assert.Equal("http", grpc.UriScheme);
            Assert.Equal(ports[name], grpc.Port);
            Assert.Equal($"{name}-grpc-health", Assert.Single(service.Annotations.OfType<HealthCheckAnnotation>()).Key);
            Assert.Equal(TimeSpan.FromSeconds(0.5), Assert.Single(service.Annotations.OfType<RestartPolicyAnnotation>()).Backoff.Initial);
            Assert.Contains(service.Annotations.OfType<WaitAnnotation>(), w => w.Resource == redis && w.WaitType == WaitType.WaitUntilHealthy);
            Assert.Contains(service.Annotations.OfType<ResourceRelationshipAnnotation>(), r => r.Resource == redis && r.Type == "Reference");
        }
    }

    [Fact]
    public async Task TrainingAloneAlsoWaitsForPreprocessingAndTrainingAndInferenceReferenceIt()
    {
        await using var builder = await CreateAsync(TempDirectory());
        var preprocessing = Single<ProjectResource>(builder, "preprocessing");

        Assert.Equal(["redis"], WaitsFor(preprocessing));
        Assert.Equal(["preprocessing", "redis"], WaitsFor(Single<ProjectResource>(builder, "training")));
        Assert.Equal(["redis"], WaitsFor(Single<ProjectResource>(builder, "inference")));
        // The API key parameter is referenced by every service's environment.
        Assert.Equal(["api-key", "redis"], References(preprocessing));
        Assert.Equal(["api-key", "preprocessing", "redis"], References(Single<ProjectResource>(builder, "training")));
        Assert.Equal(["api-key", "preprocessing", "redis"], References(Single<ProjectResource>(builder, "inference")));
    }

    [Fact]
    public async Task TheServicesEnvironmentNamesRedisThePreprocessingServiceAndTheFoldersUnderHome()
    {
        var home = TempDirectory();
        await using var builder = await CreateAsync(home);

        var preprocessing = await EnvironmentAsync(Single<ProjectResource>(builder, "preprocessing"));
        Assert.Equal("{redis.connectionString}", preprocessing["ConnectionStrings__redis"]);
        Assert.Equal(Path.Combine(home, "data"), preprocessing["Hbac__DataRoot"]);
        Assert.DoesNotContain("Hbac__ModelRepository", preprocessing.Keys);
        Assert.DoesNotContain(preprocessing.Keys, key => key.StartsWith("services__", StringComparison.Ordinal));

        foreach (var name in new[] { "training", "inference" })
        {
            var environment = await EnvironmentAsync(Single<ProjectResource>(builder, name));
            Assert.Equal("{redis.connectionString}", environment["ConnectionStrings__redis"]);
            Assert.Equal("{preprocessing.bindings.grpc.url}", environment["services__preprocessing__grpc__0"]);
            Assert.Equal(Path.Combine(home, "data"), environment["Hbac__DataRoot"]);
            Assert.Equal(Path.Combine(home, "models"), environment["Hbac__ModelRepository"]);
            Assert.DoesNotContain(environment.Keys, key => key.StartsWith("services__redis", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task EveryServiceRequiresTheSecretApiKeyParameterGeneratedUnderHomeWithMode0600()
    {
        var home = TempDirectory();
        await using var builder = await CreateAsync(home);

        var parameter = Single<ParameterResource>(builder, "api-key");
        Assert.True(parameter.Secret);
        var file = Path.Combine(home, "api-key");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
        var key = File.ReadAllText(file).Trim();
        Assert.Equal(43, key.Length);
        Assert.Equal(key, await parameter.GetValueAsync(CancellationToken.None));
        foreach (var name in Services)
        {
            Assert.Equal("{api-key.value}", (await EnvironmentAsync(Single<ProjectResource>(builder, name)))["Hbac__ApiKey"]);
        }
    }

    [Fact]
    public async Task TheNextRunReusesTheKeyAndAnotherHomeHasAnother()
    {
        var home = TempDirectory();
        string first;
        await using (var builder = await CreateAsync(home))
        {
            first = (await Single<ParameterResource>(builder, "api-key").GetValueAsync(CancellationToken.None))!;
        }
        var written = File.GetLastWriteTimeUtc(Path.Combine(home, "api-key"));

        await using var again = await CreateAsync(home);
        await using var elsewhere = await CreateAsync(TempDirectory());

        Assert.Equal(first, await Single<ParameterResource>(again, "api-key").GetValueAsync(CancellationToken.None));
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(home, "api-key")));
        Assert.NotEqual(first, await Single<ParameterResource>(elsewhere, "api-key").GetValueAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AConfiguredKeyReplacesTheFile()
    {
        var home = TempDirectory();
        await using var builder = await CreateAsync(home, "--Parameters:api-key=configured-key-0123456789");

        Assert.Equal("configured-key-0123456789", await Single<ParameterResource>(builder, "api-key").GetValueAsync(CancellationToken.None));
        Assert.False(File.Exists(Path.Combine(home, "api-key")));
    }

    [Fact]
    public async Task WithDataTheServicesReadTheKaggleFolder()
    {
        var data = TempDirectory();
        await using var builder = await CreateAsync(TempDirectory(), "--data", data);
        foreach (var name in Services)
        {
            Assert.Equal(data, (await EnvironmentAsync(Single<ProjectResource>(builder, name)))["Hbac__DataRoot"]);
        }
    }

    [Fact]
    public async Task TheCommandsAreOnTheirResources()
    {
        await using var builder = await CreateAsync(TempDirectory());

        // One train command per model kind on training; the job's "Run again" trains both.
        var training = Commands(Single<ProjectResource>(builder, "training")).ToList();
        Assert.Contains(training, c => c.Name == "train-spectrogram" && c.DisplayName == "Train the spectrogram model");
        Assert.Contains(training, c => c.Name == "train-eeg" && c.DisplayName == "Train the EEG model");
        Assert.Contains(Commands(Single<ProjectResource>(builder, "inference")), c => c.Name == "activate-newest");
        Assert.Contains(Commands(Single<DefaultJobResource>(builder, "default-job")), c => c.Name == "run-again" && c.DisplayName == "Run again (train both models)");
        Assert.DoesNotContain(Commands(Single<ProjectResource>(builder, "preprocessing")),
            c => c.Name is "train-spectrogram" or "train-eeg" or "activate-newest" or "run-again");
    }

    [Fact]
    public async Task TheDefaultJobShowsItsModeAndDataAndUsesTheThreeServices()
    {
        var home = TempDirectory();
        await using var builder = await CreateAsync(home);
        var job = Single<DefaultJobResource>(builder, "default-job");

        var snapshot = Assert.Single(job.Annotations.OfType<ResourceSnapshotAnnotation>()).InitialSnapshot;
        Assert.Equal(DefaultJobResource.ResourceType, snapshot.ResourceType);
        Assert.Equal(KnownResourceStates.NotStarted, snapshot.State?.Text);
        Assert.Equal("none", snapshot.Properties.Single(p => p.Name == "hbac.job.mode").Value);
        Assert.Equal(Path.Combine(home, "data", DefaultJob.SyntheticFolder), snapshot.Properties.Single(p => p.Name == "hbac.job.data").Value);
        Assert.Equal(Services.Order(), job.Annotations.OfType<ResourceRelationshipAnnotation>()
            .Where(r => r.Type == "Uses").Select(r => r.Resource.Name).Order());
    }

    [Fact]
    public async Task TheCrashRestarterAndTheJobRunnerAreRegisteredOnce()
    {
        await using var builder = await CreateAsync(TempDirectory());
        Assert.Single(builder.Services, s => s.ServiceType == typeof(IHostedService) && s.ImplementationType == typeof(CrashRestarter));
        Assert.Single(builder.Services, s => s.ServiceType == typeof(DefaultJobRunner));
    }

    private static string[] WaitsFor(IResource resource) =>
        [.. resource.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name).Order()];

    private static string[] References(IResource resource) =>
        [.. resource.Annotations.OfType<ResourceRelationshipAnnotation>().Where(r => r.Type == "Reference").Select(r => r.Resource.Name).Distinct().Order()];

    private static IEnumerable<ResourceCommandAnnotation> Commands(IResource resource) => resource.Annotations.OfType<ResourceCommandAnnotation>();

    /// <summary>The resource's arguments as a publish would write them: endpoint values are expressions, not ports.</summary>
    private static async Task<string[]> ArgumentsAsync(IResourceWithArgs resource)
    {
        var result = await ExecutionConfigurationBuilder.Create(resource).WithArgumentsConfig()
            .BuildAsync(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish), NullLogger.Instance, CancellationToken.None);
        Assert.Null(result.Exception);
        return [.. result.Arguments.Select(a => a.Value)];
    }

    /// <summary>The resource's environment as a publish would write it.</summary>
    private static async Task<Dictionary<string, string>> EnvironmentAsync(IResourceWithEnvironment resource)
    {
        var result = await ExecutionConfigurationBuilder.Create(resource).WithEnvironmentVariablesConfig()
            .BuildAsync(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish), NullLogger.Instance, CancellationToken.None);
        Assert.Null(result.Exception);
        return result.EnvironmentVariables.ToDictionary();
    }
}
