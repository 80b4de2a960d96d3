namespace Hbac.Eeg.Reports;

/// <summary>
/// How events are found in a class's probability series: an event starts at a scored segment whose
/// probability reaches <see cref="OnThreshold"/> and lasts while it stays at or above
/// <see cref="OffThreshold"/> (hysteresis); events of the same class less than
/// <see cref="MergeGapSeconds"/> apart are merged; events shorter than <see cref="MinDurationSeconds"/>
/// are dropped (after merging). A segment that is not scored ends an event.
/// </summary>
public sealed record EventDetectionOptions
{
    public double OnThreshold { get; init; } = 0.5;
    public double OffThreshold { get; init; } = 0.3;
    public double MinDurationSeconds { get; init; } = 20;
    public double MergeGapSeconds { get; init; } = 30;

    public static EventDetectionOptions Default { get; } = new();
}
