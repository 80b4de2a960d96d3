using Hbac.Contracts;
using HbacAspire.ServiceDefaults.HealthReports;
using HbacAspire.ServiceDefaults.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

// The namespace every host already imports, as in the Aspire templates: no using needed in Program.cs.
namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every HBAC service adds: OpenTelemetry, health checks, service
/// discovery and resilience. The wiring follows Aspire's environment contract, so the same
/// services run under HbacAspire.AppHost or a real Aspire AppHost:
/// <c>ConnectionStrings__redis</c> (read with <c>GetConnectionString("redis")</c>),
/// <c>services__&lt;name&gt;__grpc__0</c> (resolved by service discovery for <c>http://_grpc.&lt;name&gt;</c>),
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (OTLP export on when set; the Aspire AppHost points it at its
/// dashboard), <c>OTEL_SERVICE_NAME</c>.
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";
    public const string PrometheusPath = "/metrics";

    /// <summary>Tag of the health checks that say the process is alive (not whether it is useful).</summary>
    public const string LiveTag = "live";

    /// <summary>Basic defaults plus service discovery and resilience for outgoing HTTP calls.</summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddBasicServiceDefaults();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    /// <summary>Telemetry and health checks, for services that call no one.</summary>
    public static TBuilder AddBasicServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(HbacInstruments.MeterName)
                .AddHbacHistogramViews()
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                // Health probes (HTTP and grpc.health.v1) arrive every few seconds from the AppHost; tracing them buries real requests.
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => !IsProbe(context.Request.Path))
                .AddGrpcClientInstrumentation()
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }
        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// <c>/health</c> (every check; 200 when Healthy or Degraded, 503 when Unhealthy, JSON body naming
    /// each check), <c>/alive</c> (only the live checks) and <c>/metrics</c> (Prometheus text). Mapped
    /// in every environment: the AppHost's health check reads <c>/health</c> to tell Degraded from Healthy.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions { ResponseWriter = HealthResponseWriter.WriteAsync });
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        });
        app.MapPrometheusScrapingEndpoint(PrometheusPath);
        return app;
    }

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments(HealthEndpointPath) || path.StartsWithSegments(AlivenessEndpointPath)
        || path.StartsWithSegments(PrometheusPath) || path.StartsWithSegments(GrpcHealthPath);

    private const string GrpcHealthPath = "/grpc.health.v1.Health";
}
