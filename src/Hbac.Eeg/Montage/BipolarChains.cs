namespace Hbac.Eeg.Montage;

/// <summary>
/// Recordings stored in a bipolar montage (CHB-MIT, many clinical exports) carry derivations labelled
/// "FP1-F7", "EEG F7-T7", ... instead of one signal per electrode. The models see only the 16 double-banana
/// chains (<see cref="KaggleMontage.Chains"/>), so such a file is read by giving each side's 8 chain electrodes
/// potentials whose differences are its chains: walk the temporal and the parasagittal chain from Fp1 (Fp2);
/// O1 (O2), which both reach, takes the mean of the two; then the side's mean is taken away, so no electrode
/// is a flat stand-in for the reference (the quality rules would call it flat).
/// Every chain comes back exactly except the two that end at O1 (O2): they differ by half of the loop's
/// residual, (Fp1 - O1 along the temporal chain) - (Fp1 - O1 along the parasagittal one), which is 0 when the
/// derivations were formed from one referential recording, as digital EEG systems form them.
/// </summary>
public static class BipolarChains
{
    /// <summary>The chain electrodes in walking order per side: Fp, temporal 3, parasagittal 3, O.</summary>
    private static readonly int[][] SideColumns = [Side(0, 2), Side(1, 3)];

    /// <summary>The canonical electrodes (A, B) of a derivation label "A-B", or null when it is not one between two scalp electrodes.</summary>
    public static (string A, string B)? Parse(string label)
    {
        var name = ElectrodeNames.Normalised(label);
        var parts = name.Split('-');
        if (parts.Length != 2)
        {
            return null;
        }
        var a = ElectrodeNames.Canonical(parts[0]);
        var b = ElectrodeNames.Canonical(parts[1]);
        return a is null || b is null || a == "EKG" || b == "EKG" || a == b ? null : (a, b);
    }

    /// <summary>
    /// Where each of the 16 chains is among <paramref name="labels"/> (null entries are skipped, e.g. annotation
    /// signals): the label's index and +1 when it is written A-B, -1 when B-A; null where no label holds it. The
    /// first label holding a chain wins.
    /// </summary>
    public static (int Index, int Sign)?[] Find(IReadOnlyList<string?> labels)
    {
        var found = new (int Index, int Sign)?[KaggleMontage.Chains.Count];
        for (var i = 0; i < labels.Count; i++)
        {
            if (labels[i] is not { } label || Parse(label) is not { } pair)
            {
                continue;
            }
            for (var c = 0; c < found.Length; c++)
            {
                var chain = KaggleMontage.Chains[c];
                var sign = chain == pair ? 1 : chain == (pair.B, pair.A) ? -1 : 0;
                if (sign != 0 && found[c] is null)
                {
                    found[c] = (i, sign);
                }
            }
        }
        return found;
    }

    /// <summary>
    /// Samples [0, count) of the 16 chains (<see cref="KaggleMontage.Chains"/> order, microvolts, each a - b)
    /// become samples [at, at + count) of the 16 chain electrodes' columns of <paramref name="columns"/>
    /// (<see cref="KaggleMontage.Columns"/> order; other columns are left alone). A NaN chain makes the
    /// electrodes past it on its walk NaN; the others keep their values.
    /// </summary>
    public static void ToElectrodes(IReadOnlyList<float[]> chains, int count, IReadOnlyList<float[]> columns, int at)
    {
        if (chains.Count != KaggleMontage.Chains.Count)
        {
            throw new ArgumentException($"{chains.Count} chains given, expected {KaggleMontage.Chains.Count}", nameof(chains));
        }
        Span<double> potential = stackalloc double[8];
        for (var side = 0; side < 2; side++)
        {
            var temporal = chains.Skip(4 * side).Take(4).ToArray();
            var parasagittal = chains.Skip(4 * (side + 2)).Take(4).ToArray();
            var targets = SideColumns[side].Select(c => columns[c]).ToArray();
            for (var n = 0; n < count; n++)
            {
                // Potentials relative to Fp: [Fp, temporal 1-3, parasagittal 1-3, O].
                potential[0] = 0;
                double t = 0, p = 0;
                for (var k = 0; k < 3; k++)
                {
                    t -= temporal[k][n];
                    p -= parasagittal[k][n];
                    potential[1 + k] = t;
                    potential[4 + k] = p;
                }
                t -= temporal[3][n];
                p -= parasagittal[3][n];
                potential[7] = double.IsNaN(t) ? p : double.IsNaN(p) ? t : (t + p) / 2;
                double sum = 0;
                var finite = 0;
                foreach (var v in potential)
                {
                    if (!double.IsNaN(v))
                    {
                        sum += v;
                        finite++;
                    }
                }
                var mean = sum / finite;
                for (var e = 0; e < 8; e++)
                {
                    targets[e][at + n] = (float)(potential[e] - mean);
                }
            }
        }
    }

    /// <summary>Kaggle column indices of one side's electrodes in walking order, from its temporal and parasagittal regions.</summary>
    private static int[] Side(int temporalRegion, int parasagittalRegion)
    {
        var temporal = KaggleMontage.RegionPairs[temporalRegion];
        var parasagittal = KaggleMontage.RegionPairs[parasagittalRegion];
        string[] names =
        [
            temporal[0].A, temporal[0].B, temporal[1].B, temporal[2].B,
            parasagittal[0].B, parasagittal[1].B, parasagittal[2].B, temporal[3].B,
        ];
        return [.. names.Select(KaggleMontage.ColumnIndex)];
    }
}
