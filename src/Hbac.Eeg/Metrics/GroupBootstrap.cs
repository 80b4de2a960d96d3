namespace Hbac.Eeg.Metrics;

/// <summary>A percentile bootstrap interval of a mean, and what it was drawn from.</summary>
/// <param name="Estimate">The mean over all rows (what the interval is around).</param>
/// <param name="Groups">How many groups were resampled (the unit of independence, e.g. patients).</param>
public sealed record BootstrapInterval(double Estimate, double Low, double High, double Level, int Resamples, int Groups);

/// <summary>
/// How far a fold's mean could move with other patients: the rows of one patient (or one EEG) share their
/// truth, so they are not independent draws, and a fold of 98 windows holds only 15-20 patients. The groups are
/// resampled with replacement, each resample's mean taken over the rows of the groups drawn (a group drawn twice
/// counts twice), and the interval is the percentile range of those means. For a difference between two models on
/// the same rows (paired), pass each row's difference: the shared rows cancel what they have in common.
/// </summary>
public static class GroupBootstrap
{
    public const int DefaultResamples = 2000;
    public const double DefaultLevel = 0.95;

    /// <summary>
    /// The <paramref name="level"/> interval of the mean of <paramref name="values"/> (one per row) when the groups of
    /// <paramref name="groups"/> (one id per row) are resampled <paramref name="resamples"/> times; deterministic for a seed.
    /// </summary>
    public static BootstrapInterval MeanInterval(ReadOnlySpan<double> values, ReadOnlySpan<long> groups, int resamples = DefaultResamples,
        double level = DefaultLevel, int seed = 42)
    {
        if (values.Length != groups.Length)
        {
            throw new ArgumentException($"values has {values.Length} rows and groups {groups.Length}; one group id per row");
        }
        if (values.IsEmpty)
        {
            throw new ArgumentException("no rows to resample");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 100);
        if (!(level is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "a confidence level lies strictly between 0 and 1");
        }
        var index = new Dictionary<long, int>();
        var sums = new List<double>();
        var counts = new List<int>();
        double total = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new ArgumentException($"values[{i}] is {values[i]}; every row's value must be finite");
            }
            if (!index.TryGetValue(groups[i], out var g))
            {
                g = index[groups[i]] = sums.Count;
                sums.Add(0);
                counts.Add(0);
            }
            sums[g] += values[i];
            counts[g]++;
            total += values[i];
        }
        var groupCount = sums.Count;
        var random = new Random(seed);
        var means = new double[resamples];
        for (var r = 0; r < resamples; r++)
        {
            double sum = 0;
            long rows = 0;
            for (var k = 0; k < groupCount; k++)
            {
                var g = random.Next(groupCount);
                sum += sums[g];
                rows += counts[g];
            }
            means[r] = sum / rows;
        }
        Array.Sort(means);
        var tail = (1 - level) / 2;
        return new BootstrapInterval(total / values.Length, Percentile(means, tail), Percentile(means, 1 - tail), level, resamples, groupCount);
    }

    /// <summary>Linear interpolation between the sorted values' closest ranks (NumPy's default percentile).</summary>
    private static double Percentile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
