using System.Net;
using System.Net.Sockets;
using System.Text;
using Aspire.Hosting.ApplicationModel;
using HbacAspire.AppHost.Health;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using static HbacAspire.AppHost.Tests.TestSupport;

namespace HbacAspire.AppHost.Tests;

/// <summary>
/// <see cref="GrpcHealthCheck"/> against a real service host built on the service defaults
/// (grpc.health.v1 over h2c and the JSON /health report), whose "tensor-cache" check a test sets.
/// </summary>
public sealed class GrpcHealthCheckTests : IAsyncLifetime
{
    private const string CacheProblem = "redis unreachable; serving without the cache";

    private readonly SettableHealthCheck _cache = new(CacheProblem);
    private readonly SocketsHttpHandler _handler = new() { ConnectTimeout = TimeSpan.FromSeconds(2) };
    private FakeServiceHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await FakeServiceHost.StartAsync(services => services.AddHealthChecks().AddCheck("tensor-cache", _cache), _ => { });

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _handler.Dispose();
    }

    private Task<HealthCheckResult> CheckAsync(EndpointReference endpoint) =>
        CheckAsync(new GrpcHealthCheck(endpoint, _handler));

    [Fact]
    public async Task AServingServiceIsHealthy()
    {
        var result = await CheckAsync(TestEndpoints.Allocated("grpc", "http", _host.Port));
        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    [Fact]
    public async Task ADegradedCheckOfTheServiceMakesItDegradedNamingTheCheckAndItsDescription()
    {
        _cache.Status = HealthStatus.Degraded;
        var result = await CheckAsync(TestEndpoints.Allocated("grpc", "http", _host.Port));
        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal($"tensor-cache: {CacheProblem}", result.Description);

        // And Healthy again once the service's check recovers.
        _cache.Status = HealthStatus.Healthy;
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(TestEndpoints.Allocated("grpc", "http", _host.Port))).Status);
    }

    [Fact]
    public async Task AnUnhealthyCheckOfTheServiceMakesItUnhealthy()
    {
        _cache.Status = HealthStatus.Unhealthy;
        var result = await CheckAsync(TestEndpoints.Allocated("grpc", "http", _host.Port));
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("grpc.health.v1 reports NotServing", result.Description);
    }

    [Fact]
    public async Task AClosedPortIsUnhealthyNotAnException()
    {
        var port = ClosedLoopbackPort();
        var result = await CheckAsync(TestEndpoints.Allocated("grpc", "http", port));
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.StartsWith($"grpc.health.v1 at http://127.0.0.1:{port}/: Unavailable: ", result.Description);
    }

    [Fact]
    public async Task AnEndpointNotAllocatedYetIsUnhealthy()
    {
        var result = await CheckAsync(TestEndpoints.Unallocated("grpc", "http", _host.Port));
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("endpoint not allocated yet", result.Description);
    }

    /// <summary>
    /// The AppHost creates the endpoint reference when it builds the model, before DCP allocates the
    /// port, and every run of the check uses that one reference: the check must see an allocation that
    /// comes after it first looked. (Aspire's <see cref="EndpointReference.IsAllocated"/> remembers its
    /// first answer, false included.)
    /// </summary>
    [Fact]
    public async Task TheSameReferenceIsHealthyOnceItsEndpointIsAllocated()
    {
        var endpoint = TestEndpoints.Unallocated("grpc", "http", _host.Port);
        var check = new GrpcHealthCheck(endpoint, _handler);
        Assert.Equal(HealthStatus.Unhealthy, (await CheckAsync(check)).Status);

        TestEndpoints.Allocate(endpoint, _host.Port);
        var result = await CheckAsync(check);
        Assert.True(result.Status == HealthStatus.Healthy, $"{result.Status}: {result.Description}");
    }

    internal static async Task<HealthCheckResult> CheckAsync(IHealthCheck check)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await check.CheckHealthAsync(
            new HealthCheckContext { Registration = new HealthCheckRegistration("test", check, HealthStatus.Unhealthy, tags: null) },
            timeout.Token);
    }
}

/// <summary><see cref="RedisPingHealthCheck"/> against a real Redis server (redis-server or Garnet) and a server that is not one.</summary>
public sealed class RedisPingHealthCheckTests
{
    [RedisFact]
    public async Task HealthyWhileRedisAnswersAndUnhealthyOnceItIsGone()
    {
        await using var redis = await Hbac.Tests.RedisTestServer.StartAsync();
        var check = new RedisPingHealthCheck(TestEndpoints.Allocated("tcp", "tcp", redis.Port));
        Assert.Equal(HealthStatus.Healthy, (await GrpcHealthCheckTests.CheckAsync(check)).Status);

        await redis.KillAsync();
        var result = await GrpcHealthCheckTests.CheckAsync(check);
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.StartsWith($"no PONG from 127.0.0.1:{redis.Port}: ", result.Description);

        // The same check is Healthy again when the server comes back on its port.
        await redis.RestartAsync();
        Assert.Equal(HealthStatus.Healthy, (await GrpcHealthCheckTests.CheckAsync(check)).Status);
    }

    [Fact]
    public async Task AServerThatAnswersSomethingElseIsUnhealthyWithItsAnswer()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync(timeout.Token);
            var stream = client.GetStream();
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            Assert.Equal("PING\r\n", Encoding.ASCII.GetString(buffer, 0, read));
            await stream.WriteAsync("-NOAUTH Authentication required.\r\n"u8.ToArray(), timeout.Token);
        });

        var result = await GrpcHealthCheckTests.CheckAsync(new RedisPingHealthCheck(TestEndpoints.Allocated("tcp", "tcp", port)));
        await server;
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("PING answered '-NOAUTH Authentication required.'", result.Description);
    }

    [Fact]
    public async Task AClosedPortIsUnhealthyNotAnException()
    {
        var port = ClosedLoopbackPort();
        var result = await GrpcHealthCheckTests.CheckAsync(new RedisPingHealthCheck(TestEndpoints.Allocated("tcp", "tcp", port)));
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.StartsWith($"no PONG from 127.0.0.1:{port}: ", result.Description);
    }

    [Fact]
    public async Task AnEndpointNotAllocatedYetIsUnhealthy()
    {
        var result = await GrpcHealthCheckTests.CheckAsync(new RedisPingHealthCheck(TestEndpoints.Unallocated("tcp", "tcp", 6379)));
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("endpoint not allocated yet", result.Description);
    }
}

/// <summary>Aspire endpoint references as DCP leaves them: on a resource, with or without an allocated address.</summary>
internal static class TestEndpoints
{
    public static EndpointReference Allocated(string name, string scheme, int port)
    {
        var endpoint = Unallocated(name, scheme, port);
        Allocate(endpoint, port);
        return endpoint;
    }

    public static EndpointReference Unallocated(string name, string scheme, int port)
    {
        var resource = new EndpointResource("service");
        resource.Annotations.Add(new EndpointAnnotation(ProtocolType.Tcp, uriScheme: scheme, name: name, port: port));
        return new EndpointReference(resource, name);
    }

    public static void Allocate(EndpointReference endpoint, int port) =>
        endpoint.EndpointAnnotation.AllocatedEndpoint = new AllocatedEndpoint(endpoint.EndpointAnnotation, "127.0.0.1", port);

    private sealed class EndpointResource(string name) : Resource(name), IResourceWithEndpoints;
}

/// <summary>A health check whose status a test sets (the service's own checks, e.g. its Redis cache).</summary>
internal sealed class SettableHealthCheck(string description) : IHealthCheck
{
    private volatile int _status = (int)HealthStatus.Healthy;

    public HealthStatus Status
    {
        get => (HealthStatus)_status;
        set => _status = (int)value;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Status == HealthStatus.Healthy ? HealthCheckResult.Healthy() : new HealthCheckResult(Status, description));
}
