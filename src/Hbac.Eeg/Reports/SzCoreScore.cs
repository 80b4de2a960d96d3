namespace Hbac.Eeg.Reports;

/// <summary>Event-level seizure detection scores in the SzCORE convention (see <see cref="SzCoreScoring"/>).</summary>
public sealed record SzCoreScore(
    int ReferenceEvents,
    int DetectedEvents,
    int TruePositives,
    int FalsePositives,
    double? Sensitivity,
    double? Precision,
    double? F1,
    double FalseAlarmsPer24Hours,
    double RecordingHours);
