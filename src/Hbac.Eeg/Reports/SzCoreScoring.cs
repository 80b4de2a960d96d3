namespace Hbac.Eeg.Reports;

/// <summary>
/// Event scoring in the SzCORE convention (Dan et al., 2024): events of the reference and of the detector
/// less than 90 s apart are merged first; a reference event, widened by 30 s before its onset and 60 s
/// after its offset, is detected when any detected event overlaps it (any-overlap); a detected event that
/// overlaps no widened reference event is a false alarm. Sensitivity = detected reference events /
/// reference events, precision = detected events overlapping a reference / detected events, false
/// alarms per 24 h = false alarms / recording hours * 24. (SzCORE's splitting of events over 5 minutes
/// is not applied.)
/// </summary>
public static class SzCoreScoring
{
    public const double PreTolerance = 30;
    public const double PostTolerance = 60;
    public const double MergeGap = 90;

    public static SzCoreScore Score(IEnumerable<(double Onset, double Offset)> reference, IEnumerable<(double Onset, double Offset)> detected, double recordingSeconds)
    {
        var truth = Merge(reference);
        var found = Merge(detected);
        bool Overlaps((double Onset, double Offset) t, (double Onset, double Offset) d) =>
            d.Onset <= t.Offset + PostTolerance && d.Offset >= t.Onset - PreTolerance;
        var truePositives = truth.Count(t => found.Any(d => Overlaps(t, d)));
        var matchedDetections = found.Count(d => truth.Any(t => Overlaps(t, d)));
        var falsePositives = found.Count - matchedDetections;
        var hours = recordingSeconds / 3600;
        double? sensitivity = truth.Count == 0 ? null : (double)truePositives / truth.Count;
        double? precision = found.Count == 0 ? null : (double)matchedDetections / found.Count;
        double? f1 = sensitivity is { } s && precision is { } p && s + p > 0 ? 2 * s * p / (s + p) : null;
        return new SzCoreScore(truth.Count, found.Count, truePositives, falsePositives, sensitivity, precision, f1,
            hours > 0 ? falsePositives / hours * 24 : 0, hours);
    }

    /// <summary>Sorted events with those less than <see cref="MergeGap"/> apart joined.</summary>
    public static List<(double Onset, double Offset)> Merge(IEnumerable<(double Onset, double Offset)> events)
    {
        var merged = new List<(double Onset, double Offset)>();
        foreach (var e in events.OrderBy(e => e.Onset))
        {
            if (merged.Count > 0 && e.Onset - merged[^1].Offset < MergeGap)
            {
                merged[^1] = (merged[^1].Onset, Math.Max(merged[^1].Offset, e.Offset));
            }
            else
            {
                merged.Add(e);
            }
        }
        return merged;
    }
}
