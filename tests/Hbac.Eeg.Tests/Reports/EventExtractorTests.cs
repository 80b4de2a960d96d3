using Hbac.Eeg.Reports;

namespace Hbac.Eeg.Tests.Reports;

public class EventExtractorTests
{
    private static readonly EventDetectionOptions Options = new() { OnThreshold = 0.5, OffThreshold = 0.3, MinDurationSeconds = 20, MergeGapSeconds = 30 };

    private static IReadOnlyList<DetectedEvent> Seizures(params double[] p) => EventExtractor.ExtractClass(ReportSeries.Of(p), 0, Options);

    [Fact]
    public void HysteresisStartsAtTheOnThresholdAndEndsBelowTheOffThreshold()
    {
        // 0.4 never starts an event; once started, 0.35 keeps it going; 0.2 ends it.
        var events = Seizures(0.4, 0.1, 0.6, 0.35, 0.7, 0.35, 0.2, 0.1);
        var e = Assert.Single(events);
        Assert.Equal(40, e.OnsetSeconds);   // segment 2 starts at 20 + 20
        Assert.Equal(80, e.OffsetSeconds);  // segment 5 ends at 30 + 50
        Assert.Equal(0.7, e.PeakProbability, 6);
        Assert.Equal("Seizure", e.ClassName);
    }

    [Fact]
    public void EventsAtTheEdgesOfTheRecordingAreKept()
    {
        var events = Seizures(0.9, 0.8, 0.1, 0.1, 0.1, 0.1, 0.6, 0.9);
        Assert.Equal(2, events.Count);
        Assert.Equal((20.0, 40.0), (events[0].OnsetSeconds, events[0].OffsetSeconds));
        Assert.Equal((80.0, 100.0), (events[1].OnsetSeconds, events[1].OffsetSeconds)); // still open at the end: closed at the last segment
    }

    [Fact]
    public void EventsCloserThanTheMergeGapAreMergedAndFartherOnesAreNot()
    {
        // Gap of 20 s (two low segments) merges; gap of 30 s (three) does not (merging needs a gap below 30 s).
        var merged = Seizures(0.9, 0.9, 0.1, 0.1, 0.9, 0.9);
        var e = Assert.Single(merged);
        Assert.Equal((20.0, 80.0), (e.OnsetSeconds, e.OffsetSeconds));

        var apart = Seizures(0.9, 0.9, 0.1, 0.1, 0.1, 0.9, 0.9);
        Assert.Equal(2, apart.Count);
    }

    [Fact]
    public void ShortEventsAreDroppedAfterMerging()
    {
        // A lone 10-s segment is below 20 s; two lone segments 10 s apart merge into 30 s and stay.
        Assert.Empty(Seizures(0.1, 0.9, 0.1, 0.1, 0.1));
        var e = Assert.Single(Seizures(0.1, 0.9, 0.1, 0.9, 0.1));
        Assert.Equal(30, e.DurationSeconds);
    }

    [Fact]
    public void ANotScoredSegmentEndsAnEvent()
    {
        var events = EventExtractor.ExtractClass(ReportSeries.Of(0.9, 0.9, double.NaN, double.NaN, double.NaN, 0.9, 0.9), 0,
            Options with { MergeGapSeconds = 0 });
        Assert.Equal(2, events.Count);
        Assert.Equal(40, events[0].OffsetSeconds);
    }

    [Fact]
    public void EveryClassButOtherGetsEvents()
    {
        var segments = ReportSeries.Of(0.1, 0.1, 0.1);   // Other at 0.9 throughout
        Assert.Empty(EventExtractor.Extract(segments, Options));
    }
}
