namespace Hbac.Eeg.Reports;

/// <summary>
/// The signal quality of one segment: its bad electrodes, and whether the montage still holds (a
/// segment whose montage is broken is not scored and counts neither as seizure nor background).
/// </summary>
public sealed record SegmentQuality(IReadOnlyList<ElectrodeFlag> BadElectrodes, bool Scored)
{
    public static SegmentQuality Good { get; } = new([], true);

    /// <summary>"ok", "degraded" (some bad electrodes, still scored) or "not_scored".</summary>
    public string Flag => !Scored ? "not_scored" : BadElectrodes.Count == 0 ? "ok" : "degraded";

    /// <summary>"Fp1:flat;O2:nan", or empty.</summary>
    public string Details => string.Join(';', BadElectrodes);
}
