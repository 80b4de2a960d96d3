extern alias preprocessing;
using System.Threading.Channels;
using Hbac.Caching;
using Hbac.Contracts.V1;
using Hbac.Training.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using SpectrogramTensorStore = preprocessing::Hbac.Preprocessing.Spectrograms.SpectrogramTensorStore;

namespace Hbac.Training.Tests;

/// <summary>The service on a real redis-server: a dataset the preprocessing service prepared is read from Redis, and the new version is announced on the channel.</summary>
[Collection("Training service")]
public sealed class RedisIntegrationTests
{
    [RedisFact]
    public async Task ARunOverAPreparedDatasetOnlyHitsTheCacheAndAnnouncesItsVersionOnTheChannel()
    {
        await using var redis = await RedisTestServer.StartAsync();
        using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        await PrepareLikeThePreprocessingServiceAsync(connection);
        var announced = Channel.CreateUnbounded<string>();
        await connection.GetSubscriber().SubscribeAsync(RedisModelAnnouncements.Channel, (_, message) => announced.Writer.TryWrite(message.ToString()));

        await using var host = new TrainingHost(SyntheticData.Root, redisConnection: redis.ConnectionString);
        var run = await host.Client.StartRunAsync(TestRuns.Tiny());
        var finished = (await TestRuns.WatchToEndAsync(host.Client, run.RunId))[^1].Finished;

        Assert.Equal(RunState.Succeeded, finished.State);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal(finished.ModelVersion, await announced.Reader.ReadAsync(timeout.Token));
        var cache = host.Services.GetRequiredService<ITensorCache>().Statistics;
        Assert.True(cache.Hits > 0, $"cache {cache}");
        Assert.Equal(0, cache.Misses);
    }

    private static async Task PrepareLikeThePreprocessingServiceAsync(IConnectionMultiplexer connection)
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var cache = new RedisTensorCache(connection, Options.Create(new TensorCacheOptions()), NullLogger<RedisTensorCache>.Instance,
            services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var store = new SpectrogramTensorStore(cache);
        foreach (var file in Directory.EnumerateFiles(SyntheticData.SpectrogramFolder, "*.parquet"))
        {
            await store.GetSpectrogramAsync(await File.ReadAllBytesAsync(file), Path.GetFileName(file));
        }
        Assert.Equal(0, cache.Statistics.Hits);
    }
}
