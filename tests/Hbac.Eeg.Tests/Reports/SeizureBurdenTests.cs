using Hbac.Eeg.Reports;

namespace Hbac.Eeg.Tests.Reports;

public class SeizureBurdenTests
{
    [Fact]
    public void TrailingFiveMinutesCountsThirtySegmentsWithKnownShares()
    {
        // 10 background, 30 seizure, 20 background segments of 10 s.
        var segments = ReportSeries.Of([.. ReportSeries.Repeat(0.1, 10), .. ReportSeries.Repeat(0.9, 30), .. ReportSeries.Repeat(0.1, 20)]);
        var burden = SeizureBurden.Trailing(segments, 300);

        Assert.Equal(60, burden.Count);
        Assert.Equal(30, burden[0].TimeSeconds);           // the first segment's end
        Assert.Equal(0, burden[9].Burden);
        Assert.Equal(1.0 / 11, burden[10].Burden!.Value, 9); // 11 segments so far, one seizure
        Assert.Equal(1.0, burden[39].Burden);               // the window is segments 10..39, all seizure
        Assert.Equal(300, burden[39].ScoredSeconds);
        Assert.Equal(20.0 / 30, burden[49].Burden!.Value, 9); // segments 20..49: 20 seizure
        Assert.Equal(10.0 / 30, burden[59].Burden!.Value, 9); // segments 30..59: 30..39 are seizure
    }

    [Fact]
    public void NotScoredSegmentsCountNeitherAsSeizureNorBackground()
    {
        var segments = ReportSeries.Of(0.9, double.NaN, double.NaN, 0.1);
        var burden = SeizureBurden.Trailing(segments, 300);
        Assert.Equal(1.0, burden[2].Burden);
        Assert.Equal(10, burden[2].ScoredSeconds);
        Assert.Equal(0.5, burden[3].Burden);

        var (minutes, notScored) = SeizureBurden.MinutesPerClass(segments);
        Assert.Equal(10.0 / 60, minutes[0], 9);
        Assert.Equal(10.0 / 60, minutes[5], 9);
        Assert.Equal(20.0 / 60, notScored, 9);
    }

    [Fact]
    public void AWindowWithNothingScoredHasNoBurden()
    {
        var burden = SeizureBurden.Trailing(ReportSeries.Of(double.NaN, double.NaN), 300);
        Assert.All(burden, p => Assert.Null(p.Burden));
    }

    [Fact]
    public void OverlappingSegmentsAreNotCountedTwice()
    {
        // Step 2 s: each segment stands for 2 s, so 150 segments fill 5 minutes.
        var segments = Enumerable.Range(0, 200).Select(i => ReportSeries.Segment(i, 0.9, stepSeconds: 2)).ToList();
        var burden = SeizureBurden.Trailing(segments, 300);
        Assert.Equal(300, burden[^1].SeizureSeconds, 6);
        Assert.Equal(400.0 / 60, SeizureBurden.MinutesPerClass(segments).ClassMinutes[0], 6);
    }

    [Fact]
    public void StatusEpilepticusRulesFirstHoldAtTheStatedTimes()
    {
        // 70 seizure segments after 10 background ones.
        var segments = ReportSeries.Of([.. ReportSeries.Repeat(0.1, 10), .. ReportSeries.Repeat(0.9, 70)]);
        var flags = StatusEpilepticusRules.Evaluate(SeizureBurden.Trailing(segments, 300), SeizureBurden.Trailing(segments, 3600));

        // 5 min: segments k-29..k hold k-9 seizure segments; >= 27 first at k = 36, which ends at 30 + 360 s.
        Assert.True(flags[0].Held);
        Assert.Equal(390, flags[0].FirstHeldSeconds);
        // 10 minutes of seizure: the 60th seizure segment is k = 69, ending at 30 + 690 s.
        Assert.True(flags[1].Held);
        Assert.Equal(720, flags[1].FirstHeldSeconds);
    }

    [Fact]
    public void StatusEpilepticusNeedsHalfTheWindowScored()
    {
        // Three seizure segments and nothing else scored: burden 100 % on 30 s, not a 5-minute flag.
        var segments = ReportSeries.Of([0.9, 0.9, 0.9, .. ReportSeries.Repeat(double.NaN, 40)]);
        var flags = StatusEpilepticusRules.Evaluate(SeizureBurden.Trailing(segments, 300), SeizureBurden.Trailing(segments, 3600));
        Assert.False(flags[0].Held);
        Assert.Null(flags[0].FirstHeldSeconds);
        Assert.False(flags[1].Held);
    }
}
