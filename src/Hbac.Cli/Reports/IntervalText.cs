using System.Globalization;
using Hbac.Eeg.Metrics;
using Hbac.Learning.Training;

namespace Hbac.Cli.Reports;

/// <summary>How a fold's bootstrap interval reads on the console.</summary>
internal static class IntervalText
{
    /// <summary>"95% interval 0.5312 to 0.6604 over the fold's 17 patients, 2000 bootstrap resamples".</summary>
    public static string Describe(BootstrapInterval interval, Func<double, string> format) =>
        $"{Math.Round(interval.Level * 100).ToString(CultureInfo.InvariantCulture)}% interval {format(interval.Low)} to {format(interval.High)} " +
        $"over the fold's {interval.Groups} patients, {interval.Resamples} bootstrap resamples";

    /// <summary>A difference of two KLs over the same rows, with its interval from the same resamples (paired).</summary>
    public static string DescribePaired(BootstrapInterval interval) =>
        Describe(interval, Signed) + ", paired: the same resamples of the same rows";

    /// <summary>A KL difference as evaluate prints it: 4 decimals and always a sign ("+0.0541", "-0.2102").</summary>
    public static string Signed(double value) => value.ToString("+0.0000;-0.0000", CultureInfo.InvariantCulture);

    /// <summary>Why a fold of too few patients has no interval.</summary>
    public static string NoInterval(int patients) =>
        $"no interval: the fold holds {patients} patient{(patients == 1 ? "" : "s")}, fewer than the {FoldEvaluation.MinPatientsForInterval} a bootstrap over patients needs";
}
