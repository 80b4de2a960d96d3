using Hbac.Eeg.Labels;

namespace Hbac.Eeg.Reports;

/// <summary>Events of each non-Other class from a segment series, by <see cref="EventDetectionOptions"/>.</summary>
public static class EventExtractor
{
    /// <summary>The events of every class but Other, ordered by onset.</summary>
    public static IReadOnlyList<DetectedEvent> Extract(IReadOnlyList<SegmentScore> segments, EventDetectionOptions options) =>
        [.. Enumerable.Range(0, EegClasses.Count - 1)
            .SelectMany(c => ExtractClass(segments, c, options))
            .OrderBy(e => e.OnsetSeconds).ThenBy(e => e.ClassIndex)];

    public static IReadOnlyList<DetectedEvent> ExtractClass(IReadOnlyList<SegmentScore> segments, int classIndex, EventDetectionOptions options)
    {
        if (options.OffThreshold > options.OnThreshold)
        {
            throw new ArgumentException($"the off threshold {options.OffThreshold} is above the on threshold {options.OnThreshold}", nameof(options));
        }
        var raw = new List<DetectedEvent>();
        DetectedEvent? open = null;
        foreach (var s in segments)
        {
            var p = s.Scored ? s.Probabilities[classIndex] : double.NaN;
            if (open is null)
            {
                if (p >= options.OnThreshold)
                {
                    open = new DetectedEvent(s.StartSeconds, s.EndSeconds, classIndex, p);
                }
            }
            else if (p >= options.OffThreshold)
            {
                open = open with { OffsetSeconds = Math.Max(open.OffsetSeconds, s.EndSeconds), PeakProbability = Math.Max(open.PeakProbability, p) };
            }
            else
            {
                raw.Add(open);
                open = null;
            }
        }
        if (open is not null)
        {
            raw.Add(open);
        }
        return [.. Merge(raw, options.MergeGapSeconds).Where(e => e.DurationSeconds >= options.MinDurationSeconds - 1e-9)];
    }

    /// <summary>Joins consecutive events (one class, ordered by onset) whose gap is below <paramref name="gapSeconds"/>.</summary>
    public static List<DetectedEvent> Merge(IEnumerable<DetectedEvent> events, double gapSeconds)
    {
        var merged = new List<DetectedEvent>();
        foreach (var e in events)
        {
            if (merged.Count > 0 && e.OnsetSeconds - merged[^1].OffsetSeconds < gapSeconds)
            {
                var last = merged[^1];
                merged[^1] = last with
                {
                    OffsetSeconds = Math.Max(last.OffsetSeconds, e.OffsetSeconds),
                    PeakProbability = Math.Max(last.PeakProbability, e.PeakProbability),
                };
            }
            else
            {
                merged.Add(e);
            }
        }
        return merged;
    }
}
