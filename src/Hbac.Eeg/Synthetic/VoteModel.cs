using Hbac.Eeg.Labels;
using Hbac.Eeg.Randomness;

namespace Hbac.Eeg.Synthetic;

/// <summary>
/// How experts' votes arise, fitted by eye to the real train.csv (<c>hms/train_labels_subset.csv</c> and
/// DESIGN.md): each labelled event has a true class distribution dominated by one class, with the
/// confusions the real experts make; a random number of experts (1-28) vote by sampling it.
/// </summary>
internal static class VoteModel
{
    /// <summary>
    /// Dominant-class frequencies: the real consensus frequencies (Seizure 4 %, LPD 20 %, GPD 13 %,
    /// LRDA 5 %, GRDA 7 %, Other 51 %) flattened by a square root, so a small dataset still has every class.
    /// </summary>
    public static readonly double[] DominantPrior = [0.094, 0.20, 0.16, 0.10, 0.12, 0.326];

    /// <summary>Mean vote share per consensus class in the real subset (rows: consensus, columns: votes).</summary>
    private static readonly double[][] Confusion =
    [
        [0.61, 0.08, 0.11, 0.05, 0.02, 0.12],
        [0.03, 0.72, 0.03, 0.07, 0.01, 0.13],
        [0.05, 0.06, 0.69, 0.01, 0.04, 0.15],
        [0.03, 0.10, 0.01, 0.55, 0.06, 0.25],
        [0.01, 0.02, 0.06, 0.05, 0.57, 0.28],
        [0.02, 0.05, 0.04, 0.06, 0.07, 0.77],
    ];

    /// <summary>Mean of the dominant share above 0.3 (Beta mean), per class: seizures and rhythmic delta divide experts most.</summary>
    private static readonly double[] DominantShareMean = [0.39, 0.61, 0.56, 0.33, 0.36, 0.71];

    /// <summary>Real counts of rows with 10..28 experts (train_labels_subset.csv).</summary>
    private static readonly double[] ManyExperts =
        [98, 320, 693, 1145, 623, 1409, 664, 302, 307, 72, 212, 49, 23, 10, 3, 5, 2, 1, 1];

    /// <summary>Rows with 1..9 experts: the majority of the full train.csv has 3 or fewer.</summary>
    private static readonly double[] FewExperts = [0.25, 0.2, 0.3, 0.08, 0.06, 0.04, 0.03, 0.02, 0.02];

    /// <summary>Share of rows rated by 10 or more experts.</summary>
    private const double ManyExpertsShare = 0.45;

    /// <summary>A true distribution whose largest entry is <paramref name="dominant"/>.</summary>
    public static double[] TrueDistribution(int dominant, DeterministicRandom rng)
    {
        var mean = DominantShareMean[dominant];
        const double concentration = 4;
        var others = new double[EegClasses.Count];
        for (var c = 0; c < others.Length; c++)
        {
            others[c] = c == dominant ? 0 : 3 * Confusion[dominant][c] / (1 - Confusion[dominant][dominant]);
        }
        while (true)
        {
            var share = 0.3 + 0.7 * rng.NextBeta(concentration * mean, concentration * (1 - mean));
            var rest = rng.NextDirichlet(others);
            var p = new double[EegClasses.Count];
            for (var c = 0; c < p.Length; c++)
            {
                p[c] = c == dominant ? share : (1 - share) * rest[c];
            }
            if (ArgMax(p) == dominant)
            {
                return p;
            }
        }
    }

    public static int ExpertCount(DeterministicRandom rng) =>
        rng.Chance(ManyExpertsShare) ? 10 + rng.NextCategorical(ManyExperts) : 1 + rng.NextCategorical(FewExperts);

    /// <summary>
    /// The expert consensus of a vote: the most voted class, ties going to the class the event truly
    /// leans to (real consensus is always one of the most voted classes).
    /// </summary>
    public static int Consensus(IReadOnlyList<int> votes, IReadOnlyList<double> truth)
    {
        var best = 0;
        for (var c = 1; c < votes.Count; c++)
        {
            if (votes[c] > votes[best] || (votes[c] == votes[best] && truth[c] > truth[best]))
            {
                best = c;
            }
        }
        return best;
    }

    public static int ArgMax(IReadOnlyList<double> p)
    {
        var best = 0;
        for (var c = 1; c < p.Count; c++)
        {
            if (p[c] > p[best])
            {
                best = c;
            }
        }
        return best;
    }

    /// <summary>Kaggle's KL divergence for one row: targets p (votes normalised) against predictions q.</summary>
    public static double KlDivergence(IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        var sum = 0.0;
        for (var c = 0; c < p.Count; c++)
        {
            if (p[c] > 0)
            {
                var qc = Math.Clamp(q[c], 1e-15, 1 - 1e-15);
                sum += p[c] * Math.Log(p[c] / qc);
            }
        }
        return sum;
    }

    /// <summary>
    /// How visible a class's pattern is in the EEG given its true share: nothing below ~10 %, full at
    /// ~60 %. Only non-"Other" classes have a pattern.
    /// </summary>
    public static double PatternStrength(double share) => Math.Pow(Math.Clamp((share - InvisibleShare) / (FullStrengthShare - InvisibleShare), 0, 1), 0.75);

    /// <summary>A class's pattern is not drawn at all up to this share.</summary>
    public const double InvisibleShare = 0.08;

    /// <summary>From this share on a pattern is drawn at full strength: the EEG no longer tells larger shares apart.</summary>
    public const double FullStrengthShare = 0.58;
}
