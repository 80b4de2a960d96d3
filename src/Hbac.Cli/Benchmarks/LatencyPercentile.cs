namespace Hbac.Cli.Benchmarks;

/// <summary>Percentiles of measured latencies.</summary>
internal static class LatencyPercentile
{
    /// <summary>
    /// The nearest-rank percentile of ascending <paramref name="sorted"/>: the smallest value with at
    /// least a fraction <paramref name="q"/> of the values at or below it (so p99 of 100 values is the
    /// 99th, of 10 values the largest); NaN when there are none.
    /// </summary>
    public static double NearestRank(IReadOnlyList<double> sorted, double q)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(q);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(q, 1);
        if (sorted.Count == 0)
        {
            return double.NaN;
        }
        var rank = (int)Math.Ceiling(q * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }
}
