using HbacAspire.AppHost.Health;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Hosting;

public static class HealthCheckBuilderExtensions
{
    /// <summary>
    /// One HTTP/2-only, cleartext endpoint named "grpc" at <paramref name="port"/> (0 = DCP picks one),
    /// checked with <see cref="GrpcHealthCheck"/>. The services already listen with HTTP/2 only
    /// (gRPC without TLS needs it), and the OTLP exporter gives up after 1 s at shutdown so a stop
    /// is not held for its default 10 s when the dashboard is gone.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithGrpcEndpoint(this IResourceBuilder<ProjectResource> builder, int port)
    {
        builder.WithHttpEndpoint(port: HbacAspire.AppHost.AppHostOptions.EndpointPort(port), name: GrpcEndpointName)
            .WithEnvironment("OTEL_EXPORTER_OTLP_TIMEOUT", "1000")
            .WithUrlForEndpoint(GrpcEndpointName, url => url.DisplayText = "gRPC (HTTP/2)");
        var endpoint = builder.GetEndpoint(GrpcEndpointName);
        var key = $"{builder.Resource.Name}-grpc-health";
        builder.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            key, provider => new GrpcHealthCheck(endpoint, SharedHandler), HealthStatus.Unhealthy, tags: null));
        return builder.WithHealthCheck(key);
    }

    public const string GrpcEndpointName = "grpc";

    /// <summary>RESP PING of a Redis server's endpoint.</summary>
    public static IResourceBuilder<RedisServerResource> WithRedisPingHealthCheck(this IResourceBuilder<RedisServerResource> builder)
    {
        var key = $"{builder.Resource.Name}-ping";
        builder.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            key, _ => new RedisPingHealthCheck(builder.Resource.PrimaryEndpoint), HealthStatus.Unhealthy, tags: null));
        return builder.WithHealthCheck(key);
    }

    // One connection pool for all checks; short-lived connections so a restarted service is reached anew.
    private static readonly SocketsHttpHandler SharedHandler = new()
    {
        PooledConnectionLifetime = TimeSpan.FromSeconds(30),
        ConnectTimeout = TimeSpan.FromSeconds(2),
        EnableMultipleHttp2Connections = true,
    };
}
