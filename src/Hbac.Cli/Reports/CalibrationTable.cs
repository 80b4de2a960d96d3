using System.Globalization;
using Hbac.Eeg.Metrics;

namespace Hbac.Cli.Reports;

/// <summary>
/// <c>hbac evaluate</c>'s calibration section: the expected calibration errors (classwise and top-label) against the
/// votes and, on synthetic data, against the true distributions, then the classwise reliability table. Pure formatting.
/// </summary>
internal static class CalibrationTable
{
    public static IEnumerable<string> Lines(Calibration classwise, Calibration topLabel, Calibration? classwiseTruth, Calibration? topLabelTruth)
    {
        var truth = classwiseTruth is not null && topLabelTruth is not null;
        yield return $"calibration: do the probabilities mean what they say? ({Bins(classwise)} bins of the predicted probability; ECE = the mean of |mean predicted - mean observed| over a prediction's bin; max: the largest gap over bins of {Calibration.MinCountForMax}+)";
        yield return truth ? "                 against the votes                    against the true distributions" : "                 against the votes";
        yield return Row("classwise ECE", classwise, classwiseTruth);
        yield return Row("top-label ECE", topLabel, topLabelTruth);
        yield return truth ? "  predicted   count  mean p   votes   truth   (classwise: every class of every window)" : "  predicted   count  mean p   votes   (classwise: every class of every window)";
        var truthBins = classwiseTruth?.Bins.ToDictionary(b => b.From);
        foreach (var bin in classwise.Bins)
        {
            var line = string.Create(CultureInfo.InvariantCulture, $"  {bin.From:0.0}-{bin.To:0.0}  {bin.Count,7}  {bin.MeanPredicted,6:0.000}  {bin.MeanObserved,6:0.000}");
            yield return truthBins is not null && truthBins.TryGetValue(bin.From, out var t)
                ? line + string.Create(CultureInfo.InvariantCulture, $"  {t.MeanObserved,6:0.000}")
                : line;
        }
    }

    private static int Bins(Calibration calibration) =>
        calibration.Bins.Count == 0 ? 0 : (int)Math.Round(1 / (calibration.Bins[0].To - calibration.Bins[0].From));

    private static string Row(string label, Calibration votes, Calibration? truth)
    {
        var left = string.Create(CultureInfo.InvariantCulture, $"{votes.ExpectedError:0.0000} (max {votes.MaxError:0.000}; {votes.Predictions} predictions)");
        return truth is null
            ? $"{label,-17}{left}"
            : $"{label,-17}{left,-37}" + string.Create(CultureInfo.InvariantCulture, $"{truth.ExpectedError:0.0000} (max {truth.MaxError:0.000})");
    }
}
