using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hbac.Caching;

/// <summary>
/// <see cref="IConversionClaims"/> on Redis: a claim is <c>hbac:claim:&lt;cache key&gt;</c> set with NX and a
/// PX expiry to a token naming the holder (host, process, a random part). The holder renews it every third
/// of the TTL while it converts and deletes it when done, both only while the value is still its own token
/// (StackExchange.Redis' LockExtend/LockRelease: a WATCHed transaction, no Lua, so Garnet serves it too).
/// </summary>
public sealed partial class RedisConversionClaims(
    IConnectionMultiplexer redis, IOptions<TensorCacheOptions> options, ILogger<RedisConversionClaims> logger) : IConversionClaims
{
    public const string ClaimPrefix = "hbac:claim:";
    public const string ParticipantsPrefix = "hbac:preparations:";

    /// <summary>A participant counter outlives a preparation that died without leaving by at most this long.</summary>
    private static readonly TimeSpan ParticipantsTimeToLive = TimeSpan.FromHours(1);

    private readonly TensorCacheOptions _options = options.Value;

    /// <summary>The Redis key of <paramref name="key"/>'s claim.</summary>
    public static string ClaimKey(TensorCacheKey key) => ClaimPrefix + key.Value;

    public async Task<ConversionClaim> TryClaimAsync(TensorCacheKey key, CancellationToken cancellationToken = default)
    {
        if (!redis.IsConnected)
        {
            return ConversionClaim.Unguarded;
        }
        RedisKey claimKey = ClaimKey(key);
        var token = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
        bool taken;
        try
        {
            taken = await redis.GetDatabase().LockTakeAsync(claimKey, token, _options.ClaimTimeToLive)
                .WaitAsync(_options.OperationTimeout, cancellationToken);
        }
        catch (Exception exception) when (IsUnreachable(exception))
        {
            return ConversionClaim.Unguarded;
        }
        if (!taken)
        {
            return ConversionClaim.HeldElsewhere;
        }
        var renewal = new CancellationTokenSource();
        var renewing = RenewAsync(claimKey, token, renewal.Token);
        return new ConversionClaim(ClaimState.Held, async () =>
        {
            await renewal.CancelAsync();
            await renewing;
            renewal.Dispose();
            try
            {
                var database = redis.GetDatabase();
                // A release whose transaction was aborted leaves our token behind: once more then (a claim left to its TTL
                // makes every waiter wait that long).
                if (!await database.LockReleaseAsync(claimKey, token).WaitAsync(_options.OperationTimeout)
                    && await database.LockQueryAsync(claimKey).WaitAsync(_options.OperationTimeout) == token)
                {
                    await database.LockReleaseAsync(claimKey, token).WaitAsync(_options.OperationTimeout);
                }
            }
            catch (Exception exception) when (IsUnreachable(exception))
            {
                // Redis is gone; the claim expires by itself after its TTL.
            }
        });
    }

    public async Task<ClaimedKeyState> CheckAsync(TensorCacheKey key, CancellationToken cancellationToken = default)
    {
        if (!redis.IsConnected)
        {
            return ClaimedKeyState.Unknown;
        }
        try
        {
            var database = redis.GetDatabase();
            // The claim first: a holder stores the entry before it releases, so "no claim" then "no entry" means it is gone without one.
            if (await database.KeyExistsAsync(ClaimKey(key)).WaitAsync(_options.OperationTimeout, cancellationToken))
            {
                return ClaimedKeyState.Claimed;
            }
            return await database.KeyExistsAsync(key.Value).WaitAsync(_options.OperationTimeout, cancellationToken)
                ? ClaimedKeyState.Stored
                : ClaimedKeyState.Abandoned;
        }
        catch (Exception exception) when (IsUnreachable(exception))
        {
            return ClaimedKeyState.Unknown;
        }
    }

    public async Task<Participation> JoinAsync(string scope, CancellationToken cancellationToken = default)
    {
        if (!redis.IsConnected)
        {
            return Participation.Alone;
        }
        RedisKey counter = ParticipantsPrefix + TensorCacheKey.HashContent(Encoding.UTF8.GetBytes(scope));
        try
        {
            var database = redis.GetDatabase();
            var count = await database.StringIncrementAsync(counter).WaitAsync(_options.OperationTimeout, cancellationToken);
            await database.KeyExpireAsync(counter, ParticipantsTimeToLive).WaitAsync(_options.OperationTimeout, cancellationToken);
            return new Participation((int)Math.Max(0, count - 1), async () =>
            {
                try
                {
                    await database.StringDecrementAsync(counter).WaitAsync(_options.OperationTimeout);
                }
                catch (Exception exception) when (IsUnreachable(exception))
                {
                    // The counter expires by itself; until then later preparations only start elsewhere in the list.
                }
            });
        }
        catch (Exception exception) when (IsUnreachable(exception))
        {
            return Participation.Alone;
        }
    }

    private async Task RenewAsync(RedisKey claimKey, string token, CancellationToken stop)
    {
        var interval = _options.ClaimTimeToLive / 3;
        try
        {
            while (true)
            {
                await Task.Delay(interval, stop);
                try
                {
                    // Not cancelled by the release: an extension abandoned mid-flight could still be running on the server
                    // (a WATCHed transaction) beside the release's own, and make the release find the key changed and fail.
                    if (!await redis.GetDatabase().LockExtendAsync(claimKey, token, _options.ClaimTimeToLive).WaitAsync(_options.OperationTimeout))
                    {
                        // Expired (this process stalled past the TTL) or taken over: another converter may now repeat the work.
                        LogClaimLost(claimKey.ToString());
                        return;
                    }
                }
                catch (Exception exception) when (IsUnreachable(exception))
                {
                    // Try again at the next interval; if Redis stays away the claim expires and that is all.
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Released.
        }
    }

    private static bool IsUnreachable(Exception exception) =>
        exception is RedisException or TimeoutException or ObjectDisposedException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Conversion claim {Key} was lost before the conversion finished; another converter may repeat it")]
    private partial void LogClaimLost(string key);
}
