namespace Hbac.Eeg.Metrics;

/// <summary>Summaries of repeated measurements, shared by the benchmarks and the quantizer's timing.</summary>
public static class Statistics
{
    /// <summary>The median (the mean of the middle two for an even count); NaN for no values.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
