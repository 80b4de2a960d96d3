using OpenTelemetry.Trace;
using Hbac.Caching;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

public static class TensorCacheExtensions
{
    /// <summary>
    /// Registers the Redis multiplexer for <c>ConnectionStrings:&lt;connectionName&gt;</c> (the AppHost sets
    /// <c>ConnectionStrings__redis</c>), <see cref="ITensorCache"/>, the "TensorCache" options section and
    /// the health check that reports Degraded while Redis is unreachable, and the <see cref="IConversionClaims"/>
    /// on the same connection that let several converters fill the cache without converting a file twice.
    /// </summary>
    public static IHostApplicationBuilder AddRedisTensorCache(this IHostApplicationBuilder builder, string connectionName = "redis")
    {
        builder.AddRedisConnection(connectionName);
        builder.Services.AddOptions<TensorCacheOptions>().BindConfiguration("TensorCache");
        builder.Services.AddSingleton<ITensorCache, RedisTensorCache>();
        builder.Services.TryAddSingleton<IConversionClaims, RedisConversionClaims>();
        builder.Services.AddHealthChecks().AddCheck<TensorCacheHealthCheck>(TensorCacheHealthCheck.Name);
        return builder;
    }

    /// <summary>Registers <see cref="IModelAnnouncements"/> on the same Redis connection.</summary>
    public static IHostApplicationBuilder AddRedisModelAnnouncements(this IHostApplicationBuilder builder, string connectionName = "redis")
    {
        builder.AddRedisConnection(connectionName);
        builder.Services.TryAddSingleton<IModelAnnouncements, RedisModelAnnouncements>();
        return builder;
    }

    /// <summary>One <see cref="IConnectionMultiplexer"/> per process for <c>ConnectionStrings:&lt;connectionName&gt;</c>.</summary>
    public static IHostApplicationBuilder AddRedisConnection(this IHostApplicationBuilder builder, string connectionName = "redis")
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{connectionName} is not set (the AppHost sets ConnectionStrings__{connectionName}, e.g. 127.0.0.1:6380)");
        }
        builder.Services.TryAddSingleton<IConnectionMultiplexer>(provider =>
            RedisConnection.Connect(connectionString, provider.GetService<ILoggerFactory>()));
        // Traces each Redis command of that one connection (resolved from DI when tracing starts).
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddRedisInstrumentation());
        return builder;
    }
}
