using Hbac.Eeg.Reports;

namespace Hbac.Eeg.Tests.Reports;

public class SzCoreScoringTests
{
    [Fact]
    public void AnyOverlapWithThirtySecondsBeforeAndSixtyAfterTheTrueEvent()
    {
        (double, double)[] truth = [(1000, 1100)];
        Assert.Equal(1, SzCoreScoring.Score(truth, [(960, 970)], 86400).TruePositives);   // ends 30 s before the onset
        Assert.Equal(0, SzCoreScoring.Score(truth, [(960, 969)], 86400).TruePositives);   // 31 s before
        Assert.Equal(1, SzCoreScoring.Score(truth, [(1160, 1200)], 86400).TruePositives); // starts 60 s after the offset
        var late = SzCoreScoring.Score(truth, [(1161, 1200)], 86400);
        Assert.Equal((0, 1), (late.TruePositives, late.FalsePositives));
    }

    [Fact]
    public void KnownCountsGiveKnownScores()
    {
        // Three true seizures, four detections: two hit, one misses all (a false alarm in 12 h = 2 per 24 h),
        // and one hits the first seizure again 100 s after the first detection (not merged: the gap is >= 90 s).
        (double, double)[] truth = [(1000, 1100), (5000, 5060), (9000, 9100)];
        (double, double)[] detected = [(1010, 1050), (1150, 1160), (5020, 5040), (20000, 20030)];
        var score = SzCoreScoring.Score(truth, detected, 12 * 3600);
        Assert.Equal(3, score.ReferenceEvents);
        Assert.Equal(4, score.DetectedEvents);
        Assert.Equal(2, score.TruePositives);
        Assert.Equal(1, score.FalsePositives);
        Assert.Equal(2.0 / 3, score.Sensitivity!.Value, 9);
        Assert.Equal(3.0 / 4, score.Precision!.Value, 9);
        Assert.Equal(2.0, score.FalseAlarmsPer24Hours, 9);
    }

    [Fact]
    public void EventsLessThanNinetySecondsApartAreMerged()
    {
        var merged = SzCoreScoring.Merge([(0, 10), (99, 120), (300, 310)]);
        Assert.Equal([(0.0, 120.0), (300.0, 310.0)], merged);
    }

    [Fact]
    public void NoTruthAndNoDetectionsHaveNoRatios()
    {
        var score = SzCoreScoring.Score([], [], 3600);
        Assert.Null(score.Sensitivity);
        Assert.Null(score.Precision);
        Assert.Equal(0, score.FalseAlarmsPer24Hours);
    }
}
