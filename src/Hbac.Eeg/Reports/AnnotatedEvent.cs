using Hbac.Eeg.Labels;

namespace Hbac.Eeg.Reports;

/// <summary>A true event of a synthetic recording (or any reference annotation): onset, offset and class.</summary>
public sealed record AnnotatedEvent(double OnsetSeconds, double OffsetSeconds, int ClassIndex)
{
    public string ClassName => EegClasses.Names[ClassIndex];
}
