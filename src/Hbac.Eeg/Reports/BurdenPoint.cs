namespace Hbac.Eeg.Reports;

/// <summary>
/// The seizure burden at <see cref="TimeSeconds"/> (a segment's end): the share of the scored time in the
/// trailing window that was seizure, or null when nothing in the window was scored.
/// <see cref="SeizureSeconds"/> and <see cref="ScoredSeconds"/> are the counts behind the share.
/// </summary>
public sealed record BurdenPoint(double TimeSeconds, double? Burden, double SeizureSeconds, double ScoredSeconds);
