namespace Hbac.Eeg.Reports;

/// <summary>
/// How events are found in a class's probability series: an event starts at a scored segment whose
/// probability reaches <see cref="OnThreshold"/> and lasts while it stays at or above
/// <see cref="OffThreshold"/> (hysteresis); events of the same class less than
/// <see cref="MergeGapSeconds"/> apart are merged; events shorter than <see cref="MinDurationSeconds"/>
/// are dropped (after merging). A segment that is not scored ends an event. The defaults were chosen on
/// a tuning set of synthetic recordings (<c>hbac synth --recordings 4 --hours 2 --seed 1001</c>, 13
/// seizures) with the quick EEG model, not on the default set the README reports: a 20-s minimum gave 2
/// false alarms in 8 h there, 30 s none, with all 13 seizures found; on-thresholds above 0.5 lost
/// seizures (the quick model's seizure probability often peaks at 0.6-0.7).
/// </summary>
public sealed record EventDetectionOptions
{
    public double OnThreshold { get; init; } = 0.5;
    public double OffThreshold { get; init; } = 0.3;
    public double MinDurationSeconds { get; init; } = 30;
    public double MergeGapSeconds { get; init; } = 30;

    public static EventDetectionOptions Default { get; } = new();

    /// <summary>
    /// What is wrong with these parameters, in the words of the <c>hbac report</c> options (null when they are usable):
    /// 0 &lt; off &lt;= on &lt;= 1, and finite durations &gt;= 0. NaN fails every one of them.
    /// </summary>
    public string? Problem() =>
        !(OffThreshold > 0 && OffThreshold <= OnThreshold && OnThreshold <= 1)
            ? $"--on {OnThreshold} / --off {OffThreshold}: need 0 < off <= on <= 1"
            : !(double.IsFinite(MinDurationSeconds) && MinDurationSeconds >= 0)
                ? $"--min-duration: {MinDurationSeconds} must be a number of seconds >= 0"
                : !(double.IsFinite(MergeGapSeconds) && MergeGapSeconds >= 0)
                    ? $"--merge-gap: {MergeGapSeconds} must be a number of seconds >= 0"
                    : null;
}
