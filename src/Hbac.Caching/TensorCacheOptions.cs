namespace Hbac.Caching;

/// <summary>The "TensorCache" configuration section.</summary>
public sealed class TensorCacheOptions
{
    /// <summary>Payloads from this size on are considered for compression.</summary>
    public int CompressAboveBytes { get; set; } = TensorEncoding.DefaultCompressAboveBytes;

    /// <summary>How long an entry lives; null keeps it until Redis evicts it.</summary>
    public TimeSpan? TimeToLive { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Longest a cache call may take before it counts as a miss (a slow cache must not slow requests).</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a conversion claim (<see cref="IConversionClaims"/>) lives unless its holder renews it (every
    /// third of it): the longest a holder that died keeps others waiting for its entry.
    /// </summary>
    public TimeSpan ClaimTimeToLive { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a converter waiting for another's entry looks whether it has appeared (or the claim has gone).</summary>
    public TimeSpan ClaimPollInterval { get; set; } = TimeSpan.FromMilliseconds(100);
}
