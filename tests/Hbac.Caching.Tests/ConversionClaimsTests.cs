using Hbac.Caching;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Hbac.Caching.Tests;

/// <summary><see cref="RedisConversionClaims"/> against a real Redis server on a free loopback port, started and stopped by each test.</summary>
public class ConversionClaimsTests
{
    private static readonly TensorCacheKey Key = TensorCacheKey.For("spectrogram", TensorCacheKey.HashContent("file-1"u8));

    private static ServiceProvider CreateServices(string connectionString, TimeSpan claimTimeToLive)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOptions<TensorCacheOptions>().Configure(options => options.ClaimTimeToLive = claimTimeToLive);
        services.AddSingleton<IConnectionMultiplexer>(_ => RedisConnection.Connect(connectionString));
        services.AddSingleton<IConversionClaims, RedisConversionClaims>();
        return services.BuildServiceProvider();
    }

    [RedisFact]
    public async Task OneClaimantHoldsAKeyTheOthersAreToldUntilItIsReleased()
    {
        await using var redis = await RedisTestServer.StartAsync();
        // Two processes' worth of claims: separate connections to one Redis.
        using var first = CreateServices(redis.ConnectionString, TimeSpan.FromSeconds(30));
        using var second = CreateServices(redis.ConnectionString, TimeSpan.FromSeconds(30));
        var claims = first.GetRequiredService<IConversionClaims>();
        var others = second.GetRequiredService<IConversionClaims>();

        var held = await claims.TryClaimAsync(Key);
        Assert.Equal(ClaimState.Held, held.State);
        Assert.Equal(ClaimState.HeldElsewhere, (await others.TryClaimAsync(Key)).State);
        Assert.Equal(ClaimedKeyState.Claimed, await others.CheckAsync(Key));

        await held.DisposeAsync();

        // Released without an entry: abandoned, and free to claim.
        Assert.Equal(ClaimedKeyState.Abandoned, await others.CheckAsync(Key));
        await using var taken = await others.TryClaimAsync(Key);
        Assert.Equal(ClaimState.Held, taken.State);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        await connection.GetDatabase().StringSetAsync(Key.Value, "entry");
        Assert.Equal(ClaimedKeyState.Claimed, await claims.CheckAsync(Key));
        await taken.DisposeAsync();
        Assert.Equal(ClaimedKeyState.Stored, await claims.CheckAsync(Key));
    }

    [RedisFact]
    public async Task AHolderRenewsItsClaimPastTheTtlAndAReleaseNeverDeletesAnotherHoldersClaim()
    {
        await using var redis = await RedisTestServer.StartAsync();
        // Long enough that a loaded machine's scheduling delays (the renewal runs every third of it) cannot let it lapse.
        var ttl = TimeSpan.FromSeconds(3);
        using var first = CreateServices(redis.ConnectionString, ttl);
        using var second = CreateServices(redis.ConnectionString, ttl);
        var others = second.GetRequiredService<IConversionClaims>();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var database = connection.GetDatabase();

        var held = await first.GetRequiredService<IConversionClaims>().TryClaimAsync(Key);
        await Task.Delay(ttl * 2.5);
        // Still held two and a half TTLs later: the holder renews it while it works.
        Assert.Equal(ClaimState.HeldElsewhere, (await others.TryClaimAsync(Key)).State);

        // Someone overwrote the claim (as after an expiry and a takeover): releasing must leave theirs alone.
        await database.StringSetAsync(RedisConversionClaims.ClaimKey(Key), "another-holder", TimeSpan.FromSeconds(30));
        await held.DisposeAsync();
        Assert.Equal("another-holder", (string?)await database.StringGetAsync(RedisConversionClaims.ClaimKey(Key)));
    }

    [RedisFact]
    public async Task AClaimNobodyRenewsExpiresAfterItsTtl()
    {
        await using var redis = await RedisTestServer.StartAsync();
        using var services = CreateServices(redis.ConnectionString, TimeSpan.FromSeconds(30));
        var claims = services.GetRequiredService<IConversionClaims>();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        // Connected and compiled before the clock starts: on a loaded CI machine the first call alone once took longer
        // than a 500-ms claim lived, and found it already expired.
        Assert.Equal(ClaimedKeyState.Abandoned, await claims.CheckAsync(Key));
        // The claim of a holder that died: set the way a holder sets it, and never renewed or released.
        await connection.GetDatabase().StringSetAsync(RedisConversionClaims.ClaimKey(Key), "dead:1:token", TimeSpan.FromSeconds(2), When.NotExists);

        Assert.Equal(ClaimState.HeldElsewhere, (await claims.TryClaimAsync(Key)).State);
        await Task.Delay(TimeSpan.FromMilliseconds(2300));

        Assert.Equal(ClaimedKeyState.Abandoned, await claims.CheckAsync(Key));
        await using var taken = await claims.TryClaimAsync(Key);
        Assert.Equal(ClaimState.Held, taken.State);
    }

    [RedisFact]
    public async Task PreparationsOfOneScopeGetSuccessiveIndicesAndLeaving()
    {
        await using var redis = await RedisTestServer.StartAsync();
        using var services = CreateServices(redis.ConnectionString, TimeSpan.FromSeconds(30));
        var claims = services.GetRequiredService<IConversionClaims>();

        var first = await claims.JoinAsync("kaggle");
        var second = await claims.JoinAsync("kaggle");
        await using var elsewhere = await claims.JoinAsync("other-folder");

        Assert.Equal((0, 1, 0), (first.Index, second.Index, elsewhere.Index));
        await second.DisposeAsync();
        await first.DisposeAsync();
        await using var again = await claims.JoinAsync("kaggle");
        Assert.Equal(0, again.Index);
    }

    [RedisFact]
    public async Task WhileRedisIsDownEveryClaimIsUnguardedAndNothingThrows()
    {
        await using var redis = await RedisTestServer.StartAsync();
        using var services = CreateServices(redis.ConnectionString, TimeSpan.FromSeconds(30));
        var claims = services.GetRequiredService<IConversionClaims>();
        var held = await claims.TryClaimAsync(Key);
        Assert.Equal(ClaimState.Held, held.State);

        await redis.KillAsync();
        var multiplexer = services.GetRequiredService<IConnectionMultiplexer>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (multiplexer.IsConnected)
        {
            Assert.True(DateTime.UtcNow < deadline, "the multiplexer did not notice Redis is gone");
            await Task.Delay(50);
        }

        // The caller converts without coordination; releasing a claim Redis no longer has does not throw.
        Assert.Equal(ClaimState.Unguarded, (await claims.TryClaimAsync(Key)).State);
        Assert.Equal(ClaimedKeyState.Unknown, await claims.CheckAsync(Key));
        Assert.Equal(0, (await claims.JoinAsync("kaggle")).Index);
        await held.DisposeAsync();
    }
}
