using Hbac.Eeg.Labels;

namespace Hbac.Eeg.Synthetic;

/// <summary>
/// What a model that reads the synthetic EEG perfectly could predict: the generator draws at most the two
/// leading non-"Other" classes of an event into the signal, each at a strength that rises with its true share
/// and stops rising at <see cref="VoteModel.FullStrengthShare"/>. The reader is given those shares (a share at
/// full strength only as the training rows' mean of such shares, since the EEG cannot tell them apart) and
/// spreads the rest of the mass as the training rows spread it for the same dominant class.
/// The true distributions (truth.csv) also hold the shares the EEG does not show, so their KL is a bound no
/// model reaches; this reader's KL is what reading every drawn pattern exactly would score. It is still
/// generous: it knows each visible share below full strength exactly, while the EEG shows it through a
/// random amplitude.
/// </summary>
public sealed class PerfectReader
{
    /// <summary>The least mass the hidden classes get together.</summary>
    public const double MinimumHiddenMass = 0.01;

    private readonly double[] _fullStrengthShare;
    private readonly double[,] _restFraction;

    private PerfectReader(double[] fullStrengthShare, double[,] restFraction)
    {
        _fullStrengthShare = fullStrengthShare;
        _restFraction = restFraction;
    }

    /// <summary>Learns the unseen parts (shares at full strength, how the rest is spread) from training rows' true distributions.</summary>
    public static PerfectReader Fit(IEnumerable<IReadOnlyList<double>> trainingTruths)
    {
        var count = EegClasses.Count;
        var saturatedSum = new double[count];
        var saturatedCount = new int[count];
        var restSum = new double[count, count];
        var restCount = new int[count, count];
        foreach (var truth in trainingTruths)
        {
            Check(truth);
            var visible = Visible(truth);
            foreach (var c in visible.Where(c => truth[c] >= VoteModel.FullStrengthShare))
            {
                saturatedSum[c] += truth[c];
                saturatedCount[c]++;
            }
            var rest = 1 - visible.Sum(c => truth[c]);
            if (rest <= 1e-12)
            {
                continue;
            }
            var dominant = VoteModel.ArgMax(truth);
            for (var c = 0; c < count; c++)
            {
                if (!visible.Contains(c))
                {
                    restSum[dominant, c] += truth[c] / rest;
                    restCount[dominant, c]++;
                }
            }
        }
        var fullStrength = new double[count];
        var restFraction = new double[count, count];
        for (var c = 0; c < count; c++)
        {
            // Without a training row at full strength the reader falls back to the middle of what full strength allows.
            fullStrength[c] = saturatedCount[c] > 0 ? saturatedSum[c] / saturatedCount[c] : (VoteModel.FullStrengthShare + 1) / 2;
            for (var d = 0; d < count; d++)
            {
                restFraction[d, c] = restCount[d, c] > 0 ? restSum[d, c] / restCount[d, c] : 0;
            }
        }
        return new PerfectReader(fullStrength, restFraction);
    }

    /// <summary>The reader's distribution for an event whose true distribution is <paramref name="truth"/>.</summary>
    public double[] Predict(IReadOnlyList<double> truth)
    {
        Check(truth);
        var visible = Visible(truth);
        var prediction = new double[EegClasses.Count];
        foreach (var c in visible)
        {
            prediction[c] = truth[c] >= VoteModel.FullStrengthShare ? _fullStrengthShare[c] : truth[c];
        }
        // A full-strength share's mean can leave almost nothing for the hidden classes; a reader never rules them out.
        var rest = Math.Max(MinimumHiddenMass, 1 - prediction.Sum());
        var dominant = VoteModel.ArgMax(truth);
        var hidden = Enumerable.Range(0, EegClasses.Count).Where(c => !visible.Contains(c)).ToList();
        var weights = hidden.Select(c => _restFraction[dominant, c]).ToList();
        var total = weights.Sum();
        for (var i = 0; i < hidden.Count; i++)
        {
            // Spread evenly where the training rows never showed this dominant class with hidden mass.
            prediction[hidden[i]] = rest * (total > 0 ? weights[i] / total : 1.0 / hidden.Count);
        }
        var sum = prediction.Sum();
        for (var c = 0; c < prediction.Length; c++)
        {
            prediction[c] /= sum;
        }
        return prediction;
    }

    private static HashSet<int> Visible(IReadOnlyList<double> truth) =>
        RecordingSynthesizer.VisiblePatterns(truth).Select(p => p.ClassIndex).ToHashSet();

    private static void Check(IReadOnlyList<double> truth)
    {
        if (truth.Count != EegClasses.Count)
        {
            throw new ArgumentException($"a true distribution has {EegClasses.Count} classes, got {truth.Count}", nameof(truth));
        }
    }
}
