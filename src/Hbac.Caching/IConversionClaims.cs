namespace Hbac.Caching;

/// <summary>
/// "I am converting this entry" per cache key, shared by every process on the same Redis, so a tensor
/// that several converters miss at once (replicas preparing one dataset, two requests for one file) is
/// computed once: the first to claim converts and stores, the others wait for the entry to appear.
/// A claim expires after <see cref="TensorCacheOptions.ClaimTimeToLive"/> unless its holder renews it,
/// so a holder that died without releasing it holds the key up only that long. Best effort like the
/// cache: while Redis is unreachable every claim is <see cref="ClaimState.Unguarded"/> and the caller
/// converts as if nobody else were there (duplicate work, never a wrong or missing tensor).
/// </summary>
public interface IConversionClaims
{
    /// <summary>Claims <paramref name="key"/>; dispose the claim once the entry is stored (or the conversion failed).</summary>
    Task<ConversionClaim> TryClaimAsync(TensorCacheKey key, CancellationToken cancellationToken = default);

    /// <summary>Where a key that another converter claimed stands now.</summary>
    Task<ClaimedKeyState> CheckAsync(TensorCacheKey key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Registers one more preparation of <paramref name="scope"/> (e.g. a dataset folder) for as long as the
    /// returned handle lives; its <see cref="Participation.Index"/> (0 for the first, 1 for the next running
    /// at the same time, ...) lets each start at a different place. Index 0 when Redis is unreachable.
    /// </summary>
    Task<Participation> JoinAsync(string scope, CancellationToken cancellationToken = default);
}

public enum ClaimState
{
    /// <summary>This caller holds the claim and converts.</summary>
    Held,

    /// <summary>Another converter holds it: do not convert, wait for its entry.</summary>
    HeldElsewhere,

    /// <summary>Redis is unreachable: nobody can coordinate, convert without a claim.</summary>
    Unguarded,
}

public enum ClaimedKeyState
{
    /// <summary>The entry is in the cache.</summary>
    Stored,

    /// <summary>No entry yet, and someone still holds the claim (converting, or died less than a TTL ago).</summary>
    Claimed,

    /// <summary>No entry and no claim: the holder failed, or died and its claim expired; claim it again.</summary>
    Abandoned,

    /// <summary>Redis is unreachable.</summary>
    Unknown,
}

/// <summary>A claim on one key; disposing it (once is enough, again does nothing) stops the renewal and releases it (when held).</summary>
public sealed class ConversionClaim : IAsyncDisposable
{
    private readonly Func<ValueTask>? _release;
    private int _released;

    internal ConversionClaim(ClaimState state, Func<ValueTask>? release = null)
    {
        State = state;
        _release = release;
    }

    public static ConversionClaim HeldElsewhere { get; } = new(ClaimState.HeldElsewhere);

    public static ConversionClaim Unguarded { get; } = new(ClaimState.Unguarded);

    public ClaimState State { get; }

    public ValueTask DisposeAsync() =>
        _release is not null && Interlocked.Exchange(ref _released, 1) == 0 ? _release() : ValueTask.CompletedTask;
}

/// <summary>One running preparation of a scope; disposing it leaves.</summary>
public sealed class Participation(int index, Func<ValueTask>? leave = null) : IAsyncDisposable
{
    private int _left;

    public static Participation Alone { get; } = new(0);

    /// <summary>How many other preparations of the scope were running when this one joined.</summary>
    public int Index { get; } = index;

    public ValueTask DisposeAsync() =>
        leave is not null && Interlocked.Exchange(ref _left, 1) == 0 ? leave() : ValueTask.CompletedTask;
}

/// <summary>No coordination at all (no Redis configured): every claim is <see cref="ClaimState.Unguarded"/>.</summary>
public sealed class NoConversionClaims : IConversionClaims
{
    public static NoConversionClaims Instance { get; } = new();

    public Task<ConversionClaim> TryClaimAsync(TensorCacheKey key, CancellationToken cancellationToken = default) =>
        Task.FromResult(ConversionClaim.Unguarded);

    public Task<ClaimedKeyState> CheckAsync(TensorCacheKey key, CancellationToken cancellationToken = default) =>
        Task.FromResult(ClaimedKeyState.Unknown);

    public Task<Participation> JoinAsync(string scope, CancellationToken cancellationToken = default) =>
        Task.FromResult(Participation.Alone);
}
