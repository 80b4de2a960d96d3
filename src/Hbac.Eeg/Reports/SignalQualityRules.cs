using Hbac.Eeg.Montage;

namespace Hbac.Eeg.Reports;

/// <summary>
/// The stated rules that flag an electrode in a segment and decide whether the segment is scored.
/// Thresholds are in microvolts on the raw (unfiltered) signal.
/// </summary>
public sealed record SignalQualityRules
{
    /// <summary>NaN when more than this share of the samples is missing.</summary>
    public double MaxNaNShare { get; init; } = 0.25;

    /// <summary>Flat below this standard deviation (EEG is rarely under 2 uV; a dead channel is ~0).</summary>
    public double FlatMicrovolts { get; init; } = 0.5;

    /// <summary>Saturated when this share of the samples sits exactly on the segment's maximum or minimum.</summary>
    public double SaturatedShare { get; init; } = 0.05;

    /// <summary>Disconnected above this standard deviation (an open electrode drifts and picks up mains).</summary>
    public double DisconnectedMicrovolts { get; init; } = 500;

    /// <summary>
    /// A segment is not scored when more than this many of the 16 chain electrodes are bad: one bad electrode
    /// spoils 2 of the 16 double-banana chains, three spoil up to 6 of them. A bad Fz, Cz or Pz is listed but
    /// spoils no chain, so it never stops a segment being scored.
    /// </summary>
    public int MaxBadElectrodes { get; init; } = 2;

    /// <summary>
    /// For a file stored in a bipolar montage, judged on its chains: a segment is not scored when more than this
    /// many of the 16 chains are bad, the most that <see cref="MaxBadElectrodes"/> bad electrodes can spoil.
    /// </summary>
    public int MaxBadChains { get; init; } = 4;

    public static SignalQualityRules Default { get; } = new();

    /// <summary>The problem of one electrode over a segment, or null when it looks like EEG.</summary>
    public ElectrodeProblem? Judge(SecondStatistics s)
    {
        if (s.Count == 0 || s.NaNs > MaxNaNShare * s.Count)
        {
            return ElectrodeProblem.NaN;
        }
        var sd = s.StandardDeviation;
        if (sd < FlatMicrovolts)
        {
            return ElectrodeProblem.Flat;
        }
        if (s.AtMax + s.AtMin > SaturatedShare * s.Finite)
        {
            return ElectrodeProblem.Saturated;
        }
        return sd > DisconnectedMicrovolts ? ElectrodeProblem.Disconnected : null;
    }

    /// <summary>
    /// The quality of a segment from each signal's statistics over it (names in the same order): electrodes, or a
    /// bipolar file's chains ("Fp1-F7", <see cref="KaggleMontage.ChainNames"/>).
    /// </summary>
    public SegmentQuality Assess(IReadOnlyList<string> electrodes, IReadOnlyList<SecondStatistics> statistics)
    {
        var flags = new List<ElectrodeFlag>();
        for (var e = 0; e < electrodes.Count; e++)
        {
            if (Judge(statistics[e]) is { } problem)
            {
                flags.Add(new ElectrodeFlag(electrodes[e], problem));
            }
        }
        return flags.Count == 0
            ? SegmentQuality.Good
            : new SegmentQuality(flags, flags.Count(f => KaggleMontage.InChain(f.Electrode)) <= MaxBadElectrodes
                && flags.Count(f => KaggleMontage.ChainNames.Contains(f.Electrode)) <= MaxBadChains);
    }
}
