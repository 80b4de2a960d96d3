namespace Hbac.Eeg.Reports;

/// <summary>Why an electrode's signal in a segment cannot be trusted (the rules are in <see cref="SignalQualityRules"/>).</summary>
public enum ElectrodeProblem
{
    /// <summary>Missing samples (NaN) over a large share of the segment.</summary>
    NaN,

    /// <summary>No signal: the standard deviation is below the flat threshold.</summary>
    Flat,

    /// <summary>Samples pinned at the segment's extremes: the amplifier or the file's range clipped.</summary>
    Saturated,

    /// <summary>An open electrode: drift and mains far beyond any EEG amplitude.</summary>
    Disconnected,
}
