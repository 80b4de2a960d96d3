using Hbac.Eeg.Labels;

namespace Hbac.Eeg.Reports;

/// <summary>An event of one non-Other class: from the start of its first segment to the end of its last, with its peak probability.</summary>
public sealed record DetectedEvent(double OnsetSeconds, double OffsetSeconds, int ClassIndex, double PeakProbability)
{
    public string ClassName => EegClasses.Names[ClassIndex];

    public double DurationSeconds => OffsetSeconds - OnsetSeconds;
}
