using Hbac.Caching;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Hbac.Caching.Tests;

public class ModelAnnouncementsTests
{
    [RedisFact]
    public async Task PublishedVersionReachesASubscriberOnAnotherConnection()
    {
        await using var redis = await RedisTestServer.StartAsync();
        using var trainerConnection = RedisConnection.Connect(redis.ConnectionString);
        using var inferenceConnection = RedisConnection.Connect(redis.ConnectionString);
        var trainer = new RedisModelAnnouncements(trainerConnection, NullLogger<RedisModelAnnouncements>.Instance);
        var inference = new RedisModelAnnouncements(inferenceConnection, NullLogger<RedisModelAnnouncements>.Instance);
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Connect returns before the handshake (AbortOnConnectFail=false); a subscription made before it is
        // registered by the background retry up to half a second later, and this test is about delivery, not that.
        await WaitUntilConnectedAsync(inferenceConnection);
        await WaitUntilConnectedAsync(trainerConnection);

        await using (await inference.SubscribeAsync(version => { received.TrySetResult(version); return Task.CompletedTask; }))
        {
            Assert.Equal(1, await trainer.PublishAsync("20260101-120500-mobilenet"));
            Assert.Equal("20260101-120500-mobilenet", await received.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        }

        Assert.Equal(0, await trainer.PublishAsync("after-unsubscribe"));
    }

    [RedisFact]
    public async Task SubscriptionSurvivesARedisRestartAndPublishingWhileDownReturnsNull()
    {
        await using var redis = await RedisTestServer.StartAsync();
        using var trainerConnection = RedisConnection.Connect(redis.ConnectionString);
        using var inferenceConnection = RedisConnection.Connect(redis.ConnectionString);
        var trainer = new RedisModelAnnouncements(trainerConnection, NullLogger<RedisModelAnnouncements>.Instance);
        var inference = new RedisModelAnnouncements(inferenceConnection, NullLogger<RedisModelAnnouncements>.Instance);
        var versions = new List<string>();
        await using var subscription = await inference.SubscribeAsync(version =>
        {
            lock (versions)
            {
                versions.Add(version);
            }
            return Task.CompletedTask;
        });

        await redis.KillAsync();
        await WaitUntil(() => !trainerConnection.IsConnected, "the trainer to notice");
        Assert.Null(await trainer.PublishAsync("lost"));

        await redis.RestartAsync();
        await WaitUntil(() => trainerConnection.IsConnected && inferenceConnection.IsConnected, "both to reconnect");
        // The subscription is renewed asynchronously after the reconnect: publish until it is heard.
        await WaitUntil(() =>
        {
            trainer.PublishAsync("v-after-restart").GetAwaiter().GetResult();
            lock (versions)
            {
                return versions.Contains("v-after-restart");
            }
        }, "the announcement after the restart");
        lock (versions)
        {
            Assert.DoesNotContain("lost", versions);
        }
    }

    [RedisFact]
    public async Task SubscribingWhileRedisIsDownTakesEffectOnceItIsUp()
    {
        await using var redis = await RedisTestServer.StartAsync();
        await redis.KillAsync();
        using var inferenceConnection = RedisConnection.Connect(redis.ConnectionString);
        var inference = new RedisModelAnnouncements(inferenceConnection, NullLogger<RedisModelAnnouncements>.Instance);
        var heard = 0;
        await using var subscription = await inference.SubscribeAsync(_ => { Interlocked.Increment(ref heard); return Task.CompletedTask; });

        await redis.RestartAsync();
        using var trainerConnection = RedisConnection.Connect(redis.ConnectionString);
        var trainer = new RedisModelAnnouncements(trainerConnection, NullLogger<RedisModelAnnouncements>.Instance);
        await WaitUntil(() =>
        {
            trainer.PublishAsync("v1").GetAwaiter().GetResult();
            return Volatile.Read(ref heard) > 0;
        }, "the late subscription to hear an announcement");
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }

    private static async Task WaitUntilConnectedAsync(IConnectionMultiplexer connection)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!connection.IsConnected)
        {
            Assert.True(DateTime.UtcNow < deadline, "the Redis connection did not connect within 20 s");
            await Task.Delay(20);
        }
    }
}
