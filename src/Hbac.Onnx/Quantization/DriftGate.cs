namespace Hbac.Onnx.Quantization;

/// <summary>What the gate compares: the int8 model against its fp32 source on one fold's validation windows.</summary>
/// <param name="MeanDrift">Mean over windows of KL(p_fp32 || p_int8).</param>
/// <param name="Fp32FoldKl">The fp32 model's Kaggle KL against the votes.</param>
/// <param name="Int8FoldKl">The int8 model's Kaggle KL against the votes.</param>
public sealed record DriftMeasurement(double MeanDrift, double Fp32FoldKl, double Int8FoldKl)
{
    /// <summary>How much worse the int8 fold KL is, relative to fp32's (0.02 = 2 % worse).</summary>
    public double KlIncrease => Fp32FoldKl > 0 ? (Int8FoldKl - Fp32FoldKl) / Fp32FoldKl : 0;
}

/// <summary>
/// Refuses an int8 model that moved too far from its fp32 source: a mean KL(fp32 || int8) above
/// <see cref="MaxDrift"/>, or a fold KL more than <see cref="MaxKlIncrease"/> (relative) worse.
/// </summary>
public sealed record DriftGate(double MaxDrift = DriftGate.DefaultMaxDrift, double MaxKlIncrease = DriftGate.DefaultMaxKlIncrease)
{
    public const double DefaultMaxDrift = 0.01;
    public const double DefaultMaxKlIncrease = 0.02;

    /// <summary>Why the model is refused, one sentence per broken limit, with its numbers; empty when it passes.</summary>
    public IReadOnlyList<string> Refusals(DriftMeasurement m)
    {
        var reasons = new List<string>();
        var c = System.Globalization.CultureInfo.InvariantCulture;
        if (!(m.MeanDrift <= MaxDrift))
        {
            reasons.Add(string.Format(c, "mean KL(fp32 || int8) {0:F5} > {1} (--max-drift)", m.MeanDrift, MaxDrift));
        }
        if (!(m.KlIncrease <= MaxKlIncrease))
        {
            reasons.Add(string.Format(c, "int8 fold KL {0:F4} is {1:P2} worse than fp32's {2:F4} > {3:P2} (--max-kl-increase)",
                m.Int8FoldKl, m.KlIncrease, m.Fp32FoldKl, MaxKlIncrease));
        }
        return reasons;
    }

    /// <summary>Mean KL(p || q) over windows of [windows x classes] row-major distributions; q clamped at 1e-15 as Kaggle's metric does.</summary>
    public static double MeanKl(ReadOnlySpan<double> p, ReadOnlySpan<double> q, int classes)
    {
        if (p.Length != q.Length || p.Length % classes != 0 || p.Length == 0)
        {
            throw new ArgumentException($"{p.Length} and {q.Length} values are not matching rows of {classes}");
        }
        var total = 0.0;
        for (var i = 0; i < p.Length; i++)
        {
            if (p[i] > 0)
            {
                total += p[i] * Math.Log(p[i] / Math.Max(q[i], 1e-15));
            }
        }
        return total / (p.Length / classes);
    }
}
