using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Hbac.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HbacAspire.AppHost.Tests;

/// <summary>
/// A real service host on a free loopback port built with the service defaults (HTTP/2 only, /health,
/// /metrics/summary), standing in for the inference service so probes and the poller are tested over h2c.
/// </summary>
internal sealed class MetricsHost : IAsyncDisposable
{
    private readonly FakeServiceHost _host;
    private readonly StrongBox<HealthStatus> _cacheStatus;

    private MetricsHost(FakeServiceHost host, StrongBox<HealthStatus> cacheStatus)
    {
        _host = host;
        _cacheStatus = cacheStatus;
        var meter = host.Services.GetRequiredService<IMeterFactory>().Create(HbacInstruments.MeterName);
        RequestDuration = meter.CreateHistogram<double>(HbacInstruments.InferenceRequestDuration);
        BatchSize = meter.CreateHistogram<int>(HbacInstruments.InferenceBatchSize);
    }

    public int Port => _host.Port;

    public HealthStatus CacheStatus
    {
        get => _cacheStatus.Value;
        set => _cacheStatus.Value = value;
    }

    public Histogram<double> RequestDuration { get; }

    public Histogram<int> BatchSize { get; }

    public static async Task<MetricsHost> StartAsync()
    {
        var cacheStatus = new StrongBox<HealthStatus>(HealthStatus.Healthy);
        var host = await FakeServiceHost.StartAsync(
            services => services.AddHealthChecks().AddCheck("tensor-cache", () =>
                new HealthCheckResult(cacheStatus.Value, "redis unreachable; serving without the cache")),
            _ => { });
        return new MetricsHost(host, cacheStatus);
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
