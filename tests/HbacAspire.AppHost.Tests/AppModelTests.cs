using HbacAspire.AppHost.Health;
using HbacAspire.AppHost.Model;
using HbacAspire.AppHost.Supervision;

namespace HbacAspire.AppHost.Tests;

public class AppModelTests
{
    private static readonly ProcessLaunch Sleep = TestSupport.Shell("sleep 60");

    [Fact]
    public void ReferencesBecomeAspireEnvironmentVariables()
    {
        var redis = new Resource("redis", ResourceKind.Executable, Sleep, ProcessRunningProbe.Instance)
            .WithEndpoint(new ResourceEndpoint("tcp", "redis", 6380))
            .WithConnectionString("127.0.0.1:6380");
        var preprocessing = new Resource("preprocessing", ResourceKind.Project, Sleep, ProcessRunningProbe.Instance)
            .WithEndpoint(new ResourceEndpoint("grpc", "http", 5101));
        var inference = new Resource("inference", ResourceKind.Project, Sleep, ProcessRunningProbe.Instance)
            .WithEndpoint(new ResourceEndpoint("grpc", "http", 5103))
            .WithReference(redis).WithReference(preprocessing)
            .WithEnvironment("Hbac__ModelRepository", "/home/models");

        var environment = inference.BuildEnvironment();

        Assert.Equal("127.0.0.1:6380", environment["ConnectionStrings__redis"]);
        Assert.Equal("http://127.0.0.1:5101", environment["services__preprocessing__grpc__0"]);
        Assert.Equal("http://127.0.0.1:5103", environment["ASPNETCORE_URLS"]);
        Assert.Equal("inference", environment["OTEL_SERVICE_NAME"]);
        Assert.Equal("/home/models", environment["Hbac__ModelRepository"]);
        Assert.DoesNotContain(environment.Keys, key => key.StartsWith("services__redis", StringComparison.Ordinal));
    }

    [RedisFact]
    public void TheRealModelDeclaresRedisAndSkipsServicesMissingFromTheCheckout()
    {
        var root = TestSupport.TempDirectory();
        Directory.CreateDirectory(Path.Combine(root, "src", "Hbac.Inference"));
        File.WriteAllText(Path.Combine(root, "src", "Hbac.Inference", "Hbac.Inference.csproj"), "<Project />");
        var home = TestSupport.TempDirectory();
        var options = new AppHostOptions { Home = home, RedisPort = 6399, InferencePort = 5999 };
        using var http = new HttpClient();
        using var channels = new HbacAspire.AppHost.Feeds.GrpcChannels();

        var exception = Assert.Throws<AppHostException>(() => AppModel.Create(options, new ProjectLocator(root), http, channels));
        Assert.Contains("Hbac.Inference is not built: run 'dotnet build src/Hbac.Inference'", exception.Message);

        Directory.Delete(Path.Combine(root, "src", "Hbac.Inference"), recursive: true);
        var app = AppModel.Create(options, new ProjectLocator(root), http, channels);
        var resources = app.Build();

        var redis = Assert.Single(resources);
        Assert.Equal("redis", redis.Name);
        Assert.Equal("redis://127.0.0.1:6399", redis.Endpoints.Single().Url);
        Assert.Contains("--appendonly", redis.Launch.Arguments);
        Assert.Contains(Path.Combine(home, "redis"), redis.Launch.Arguments);
        Assert.Equal(3, app.Notes.Count);
        Assert.Equal("every resource healthy, and inference serving a model when it is part of the run", app.Readiness.Description);
        Assert.Equal(["default-job", "dashboard-models", "dashboard-training"], app.Jobs.Select(j => j.Name));
    }

    [Fact]
    public void OnlyKeepsTheNamedResourcesAndTheirDependencies()
    {
        using var http = new HttpClient();
        var app = new DistributedApp(new ProjectLocator(TestSupport.TempDirectory()), http);
        var a = app.AddExecutable("a", Sleep);
        var b = app.AddExecutable("b", Sleep).WaitFor(a);
        app.AddExecutable("c", Sleep).WithReference(b);
        app.AddExecutable("d", Sleep);

        Assert.Equal(["a", "b"], app.Build(["b"]).Select(r => r.Name));
        Assert.Equal(["a", "b", "c", "d"], app.Build().Select(r => r.Name));
        Assert.Contains("unknown resource(s) x", Assert.Throws<AppHostException>(() => app.Build(["x"])).Message);
    }

    [Fact]
    public void SupervisorOrdersByDependencyAndRejectsCycles()
    {
        var a = new Resource("a", ResourceKind.Executable, Sleep, ProcessRunningProbe.Instance);
        var b = new Resource("b", ResourceKind.Executable, Sleep, ProcessRunningProbe.Instance).WaitFor(a);
        var c = new Resource("c", ResourceKind.Executable, Sleep, ProcessRunningProbe.Instance).WithReference(b);

        var supervisor = new Supervisor([c, b, a], new SupervisorOptions());
        Assert.Equal(["a", "b", "c"], supervisor.Runners.Select(r => r.Resource.Name));

        a.WaitFor(c);
        var exception = Assert.Throws<ArgumentException>(() => new Supervisor([a, b, c], new SupervisorOptions()));
        Assert.StartsWith("dependency cycle:", exception.Message);
    }

    [Theory]
    [InlineData("Inference")]
    [InlineData("in ference")]
    [InlineData("")]
    public void ResourceNamesAreKebabCase(string name)
    {
        Assert.Throws<ArgumentException>(() => new Resource(name, ResourceKind.Executable, Sleep, ProcessRunningProbe.Instance));
    }

    [Fact]
    public void PortsOfZeroBecomeFreePortsAndBusyPortsAreRefused()
    {
        var resolved = AppHostRunner.ResolvePorts(new AppHostOptions
        {
            Home = "/tmp", DashboardPort = 0, PreprocessingPort = 0, TrainingPort = 0, InferencePort = 0, RedisPort = 0,
        });
        Assert.All(new[] { resolved.DashboardPort, resolved.RedisPort, resolved.InferencePort }, port => Assert.InRange(port, 1024, 65535));

        using var busy = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        busy.Start();
        var port = ((System.Net.IPEndPoint)busy.LocalEndpoint).Port;
        var exception = Assert.Throws<AppHostException>(() => AppHostRunner.ResolvePorts(new AppHostOptions
        {
            Home = "/tmp", DashboardPort = 0, PreprocessingPort = 0, TrainingPort = 0, InferencePort = 0, RedisPort = port,
        }));
        Assert.Equal($"--redis-port: port {port} on 127.0.0.1 is in use (is another stack running? --redis-port 0 picks a free one)", exception.Message);
    }
}
