namespace Hbac.Eeg.Metrics;

/// <summary>Which predictions a <see cref="Calibration"/> looks at.</summary>
public enum CalibrationKind
{
    /// <summary>Every class's probability of every window: does p for any class mean a share p of the votes?</summary>
    Classwise,

    /// <summary>Each window's most probable class only (its confidence): is a model that says 70 % right 70 % of the time?</summary>
    TopLabel,
}

/// <summary>One bin of a reliability diagram: the predictions in [<paramref name="From"/>, <paramref name="To"/>).</summary>
/// <param name="MeanObserved">The mean share of the votes (or of the true distribution) the predicted classes got there.</param>
public sealed record CalibrationBin(double From, double To, int Count, double MeanPredicted, double MeanObserved)
{
    /// <summary>Predicted minus observed: above 0 the model is overconfident there, below 0 underconfident.</summary>
    public double Gap => MeanPredicted - MeanObserved;
}

/// <summary>
/// Whether a model's probabilities mean what they say. With soft labels the outcome of a prediction p for a class is
/// the share of the experts' votes that class got (or its share of the true distribution, on synthetic data): among
/// the predictions near p, that share should average p. The predictions are put in equal-width bins; the expected
/// calibration error (ECE) is the mean over all predictions of their bin's |mean prediction - mean share|, and the
/// maximum is the largest such gap over bins holding at least <see cref="MinCountForMax"/> predictions. A vote share
/// is a noisy draw around the truth, but its mean over a bin is not biased, so votes serve on real data; with few
/// predictions per bin the ECE is inflated by that noise, which is why the counts are reported with it.
/// </summary>
public sealed record Calibration(CalibrationKind Kind, IReadOnlyList<CalibrationBin> Bins, int Predictions, double ExpectedError, double MaxError)
{
    /// <summary>Bins with fewer predictions than this do not count towards <see cref="MaxError"/> (their gap is mostly noise).</summary>
    public const int MinCountForMax = 10;

    /// <summary>
    /// The calibration of <paramref name="predicted"/> against <paramref name="observed"/> (each a row of
    /// <paramref name="classCount"/> probabilities per window, observed rows summing to 1), over <paramref name="bins"/>
    /// equal-width bins of [0, 1]; empty bins are left out.
    /// </summary>
    public static Calibration Of(CalibrationKind kind, ReadOnlySpan<double> predicted, ReadOnlySpan<double> observed, int classCount, int bins = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (predicted.Length != observed.Length || predicted.Length % classCount != 0)
        {
            throw new ArgumentException($"predicted has {predicted.Length} values and observed {observed.Length}; both must be windows x {classCount}");
        }
        if (predicted.IsEmpty)
        {
            throw new ArgumentException("no windows to calibrate");
        }
        var count = new int[bins];
        var sumPredicted = new double[bins];
        var sumObserved = new double[bins];
        void Add(double p, double y)
        {
            if (!double.IsFinite(p) || p < 0 || p > 1 + 1e-6)
            {
                throw new ArgumentException($"a predicted probability of {p}: each must lie in [0, 1]");
            }
            var bin = Math.Min((int)(p * bins), bins - 1);
            count[bin]++;
            sumPredicted[bin] += p;
            sumObserved[bin] += y;
        }
        var windows = predicted.Length / classCount;
        for (var w = 0; w < windows; w++)
        {
            var p = predicted.Slice(w * classCount, classCount);
            var y = observed.Slice(w * classCount, classCount);
            if (kind == CalibrationKind.Classwise)
            {
                for (var c = 0; c < classCount; c++)
                {
                    Add(p[c], y[c]);
                }
            }
            else
            {
                var top = 0;
                for (var c = 1; c < classCount; c++)
                {
                    top = p[c] > p[top] ? c : top;
                }
                Add(p[top], y[top]);
            }
        }
        var total = count.Sum();
        var result = new List<CalibrationBin>(bins);
        double expected = 0, max = 0;
        for (var b = 0; b < bins; b++)
        {
            if (count[b] == 0)
            {
                continue;
            }
            var bin = new CalibrationBin((double)b / bins, (double)(b + 1) / bins, count[b], sumPredicted[b] / count[b], sumObserved[b] / count[b]);
            result.Add(bin);
            expected += count[b] * Math.Abs(bin.Gap) / total;
            if (count[b] >= MinCountForMax)
            {
                max = Math.Max(max, Math.Abs(bin.Gap));
            }
        }
        return new Calibration(kind, result, total, expected, max);
    }
}
