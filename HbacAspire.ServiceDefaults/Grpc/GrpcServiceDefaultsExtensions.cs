using Grpc.AspNetCore.Server;
using Grpc.Health.V1;
using HealthClient = Grpc.Health.V1.Health.HealthClient;
using Grpc.Net.ClientFactory;
using Hbac.Contracts.Security;
using HbacAspire.ServiceDefaults.Grpc;
using HbacAspire.ServiceDefaults.Metrics;
using HbacAspire.ServiceDefaults.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>The gRPC side of the service defaults: HTTP/2 endpoints, metrics, health and reflection.</summary>
public static class GrpcServiceDefaultsExtensions
{
    /// <summary>
    /// Kestrel endpoints speak HTTP/2 only (gRPC without TLS needs it; health probes then use h2c; an
    /// https endpoint with a certificate from Kestrel's configuration negotiates h2 by ALPN),
    /// gRPC with the metrics interceptor, the API key required on every RPC but health and reflection
    /// (<see cref="ApiKeyInterceptor"/>; the service refuses to start without <see cref="ApiKeyOptions"/>'
    /// key or opt-out) and open streams ended (Unavailable) when the service stops,
    /// <c>grpc.health.v1</c> reporting the health checks, and server reflection. Status details are
    /// bounded (<see cref="BoundedStatusInterceptor"/>). <paramref name="configure"/> adjusts the gRPC
    /// options: the service's message size limit is <see cref="GrpcServiceOptions.MaxReceiveMessageSize"/>
    /// alone, because Kestrel's request body limit is lifted here (see below).
    /// </summary>
    public static IGrpcServerBuilder AddGrpcServiceDefaults(this WebApplicationBuilder builder, Action<GrpcServiceOptions>? configure = null)
    {
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ConfigureEndpointDefaults(endpoint => endpoint.Protocols = HttpProtocols.Http2);
            // Kestrel's 30,000,000-byte body limit would cut a unary message between 28.6 MiB and the gRPC
            // limit with an error the client sees as Unknown, and a long stream after 30 MB in total. The
            // only bodies these hosts read are gRPC messages, and gRPC checks each one against
            // MaxReceiveMessageSize from its length prefix before buffering it (ResourceExhausted): that
            // one setting is the limit. Health, /alive and /metrics are GETs without a body.
            kestrel.Limits.MaxRequestBodySize = null;
        });
        builder.Services.AddSingleton<GrpcMetricsInterceptor>();
        builder.Services.AddSingleton<BoundedStatusInterceptor>();
        builder.Services.AddSingleton<StreamShutdownInterceptor>();
        builder.Services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ApiKeyGate>();
        builder.Services.AddSingleton<ApiKeyInterceptor>();
        // The key is checked from the headers before gRPC reads a message (ApiKeyMiddleware), and again by the interceptor.
        builder.Services.AddTransient<Microsoft.AspNetCore.Hosting.IStartupFilter, ApiKeyStartupFilter>();
        builder.Services.AddHostedService<ApiKeyStartupLog>();
        var grpc = builder.Services.AddGrpc(options =>
        {
            // Metrics outermost, so a stream ended by the shutdown is counted as Unavailable and a refused caller as
            // Unauthenticated/PermissionDenied; the key is checked before anything else runs.
            options.Interceptors.Add<GrpcMetricsInterceptor>();
            options.Interceptors.Add<ApiKeyInterceptor>();
            options.Interceptors.Add<BoundedStatusInterceptor>();
            options.Interceptors.Add<StreamShutdownInterceptor>();
            configure?.Invoke(options);
        });
        builder.Services.AddGrpcHealthChecks();
        builder.Services.AddGrpcReflection();
        return grpc;
    }

    /// <summary>Maps <c>grpc.health.v1.Health</c> and server reflection.</summary>
    public static WebApplication MapGrpcDefaultEndpoints(this WebApplication app)
    {
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }

    /// <summary>
    /// Registers a generated gRPC client for an AppHost resource, addressed as
    /// <c>http://_grpc.&lt;resource&gt;</c> so service discovery reads <c>services__&lt;resource&gt;__grpc__0</c>,
    /// plus a health check (reported as <paramref name="failureStatus"/>) calling the resource's
    /// <c>grpc.health.v1</c>. The HTTP resilience handler is removed from these clients: its
    /// 30-second total timeout would cut long streams, and gRPC carries its own deadlines. Calls carry this
    /// host's own key (<c>Hbac:ApiKey</c>, the one key of the stack) when it has one.
    /// </summary>
    public static IHttpClientBuilder AddGrpcServiceReference<TClient>(
        this IHostApplicationBuilder builder, string resourceName, HealthStatus failureStatus = HealthStatus.Degraded)
        where TClient : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resourceName);
        var address = new Uri($"http://_grpc.{resourceName}");
        // RemoveAllResilienceHandlers is marked experimental; it is the supported way to opt one
        // client out of ConfigureHttpClientDefaults' resilience handler.
#pragma warning disable EXTEXP0001
        var client = builder.Services.AddGrpcClient<TClient>(options => options.Address = address)
            // The stack talks h2c on loopback: call credentials are sent over http:// only with this.
            .ConfigureChannel(channel => channel.UnsafeUseInsecureChannelCallCredentials = true)
            .AddCallCredentials((_, metadata, provider) =>
            {
                if (provider.GetRequiredService<IConfiguration>()[ApiKeys.ServiceSetting] is { Length: > 0 } key)
                {
                    metadata.Add(ApiKeys.HeaderName, $"{ApiKeys.Scheme} {key}");
                }
                return Task.CompletedTask;
            });
        client.RemoveAllResilienceHandlers();

        builder.Services.AddGrpcClient<HealthClient>(resourceName + "-health", options => options.Address = address)
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            resourceName,
            provider => new GrpcServiceHealthCheck(
                provider.GetRequiredService<GrpcClientFactory>().CreateClient<HealthClient>(resourceName + "-health")),
            failureStatus,
            tags: null));
        return client;
    }
}
