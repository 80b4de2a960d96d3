using Hbac.Eeg.Labels;

namespace Hbac.Eeg.Reports;

/// <summary>
/// Seizure burden as Ceribell defines it: the share of 10-s epochs with seizure in a trailing window
/// (5 minutes; also 60 minutes). A segment is seizure when Seizure is its most probable class. Each
/// segment stands for the last min(step, 10 s) of its span, so overlapping segments (step below 10 s)
/// are not counted twice and a window of W seconds holds W / step segments. Segments that are not scored count neither as seizure nor as background.
/// </summary>
public static class SeizureBurden
{
    public const int SeizureClass = 0;

    /// <summary>The seconds a segment stands for.</summary>
    public static double OwnedSeconds(IReadOnlyList<SegmentScore> segments)
    {
        if (segments.Count < 2)
        {
            return segments.Count == 0 ? 0 : segments[0].EndSeconds - segments[0].StartSeconds;
        }
        var step = segments[1].StartSeconds - segments[0].StartSeconds;
        return Math.Min(step, segments[0].EndSeconds - segments[0].StartSeconds);
    }

    public static bool IsSeizure(SegmentScore segment) => segment.Scored && segment.TopClass == SeizureClass;

    /// <summary>One point per segment, at its end: the burden over the segments whose owned time lies in [end - window, end].</summary>
    public static IReadOnlyList<BurdenPoint> Trailing(IReadOnlyList<SegmentScore> segments, double windowSeconds)
    {
        var owned = OwnedSeconds(segments);
        var points = new List<BurdenPoint>(segments.Count);
        var first = 0;
        double seizure = 0, scored = 0;
        for (var i = 0; i < segments.Count; i++)
        {
            var s = segments[i];
            if (s.Scored)
            {
                scored += owned;
                seizure += IsSeizure(s) ? owned : 0;
            }
            var end = s.EndSeconds;
            // Segments whose owned time starts before the window leave it.
            while (segments[first].EndSeconds - owned < end - windowSeconds - 1e-9)
            {
                if (segments[first].Scored)
                {
                    scored -= owned;
                    seizure -= IsSeizure(segments[first]) ? owned : 0;
                }
                first++;
            }
            points.Add(new BurdenPoint(end, scored > 1e-9 ? seizure / scored : null, Math.Round(seizure, 6), Math.Round(scored, 6)));
        }
        return points;
    }

    /// <summary>Total minutes per class (most probable class of each scored segment), and the minutes not scored.</summary>
    public static (double[] ClassMinutes, double NotScoredMinutes) MinutesPerClass(IReadOnlyList<SegmentScore> segments)
    {
        var owned = OwnedSeconds(segments);
        var minutes = new double[EegClasses.Count];
        double notScored = 0;
        foreach (var s in segments)
        {
            if (s.Scored)
            {
                minutes[s.TopClass] += owned / 60;
            }
            else
            {
                notScored += owned / 60;
            }
        }
        return (minutes, notScored);
    }
}
