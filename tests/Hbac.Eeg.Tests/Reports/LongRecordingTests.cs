using Hbac.Eeg.Formats;
using Hbac.Eeg.Formats.Edf;
using Hbac.Eeg.Randomness;
using Hbac.Eeg.Reports;
using Hbac.Eeg.Synthetic;

namespace Hbac.Eeg.Tests.Reports;

public class LongRecordingTests
{
    [Fact]
    public void EventsLieInsideTheirBlocksWithMargins()
    {
        var events = LongRecordings.PlanEvents(200, new DeterministicRandom(1));
        Assert.InRange(events.Count(e => e.ClassIndex == 0), 50, 90);   // 35 % of 200 blocks
        Assert.All(events, e =>
        {
            var block = (int)(e.OnsetSeconds / LongRecordings.BlockSeconds);
            Assert.InRange(e.OnsetSeconds, block * 600 + 60, block * 600 + 540);
            Assert.InRange(e.OffsetSeconds, e.OnsetSeconds + 40, block * 600 + 540);
            Assert.InRange(e.ClassIndex, 0, 4);
        });
    }

    [Fact]
    public void TheEdfCarriesTheTruthAsAnnotationsAndIsTheSameForTheSameSeed()
    {
        using var folder = new TempFolder();
        var options = new LongRecordingOptions { OutputFolder = folder.Path, Recordings = 2, Hours = 0.5, Seed = 11 };
        var written = LongRecordings.Generate(options);
        Assert.Equal(2, written.Count);
        var first = written[0];
        var truth = TruthFile.Read(first.TruthPath);
        Assert.Equal(first.Seizures, truth.Count(e => e.ClassIndex == 0));

        using var recording = ChunkedRecording.Open(first.EdfPath);
        Assert.Equal(1800, recording.DurationSeconds);
        var chunks = recording.Chunks(60).Select(c => c[0][0]).ToList();   // read to the end: annotations complete
        Assert.Equal(30, chunks.Count);
        Assert.Equal(truth.Select(e => new EdfAnnotation(e.OnsetSeconds, e.OffsetSeconds - e.OnsetSeconds, e.ClassName)), recording.Annotations);

        using var again = new TempFolder();
        var repeat = LongRecordings.Generate(options with { OutputFolder = again.Path });
        Assert.Equal(File.ReadAllBytes(first.EdfPath), File.ReadAllBytes(repeat[0].EdfPath));
    }

    [Fact]
    public void AnOracleDetectorScoresPerfectlyAgainstTheTruth()
    {
        // Segments whose seizure probability is 1 where the truth has a seizure: the report's chain
        // (events, SzCORE) must give sensitivity 1 and no false alarm.
        var truth = LongRecordings.PlanEvents(12, new DeterministicRandom(4));
        var segments = Enumerable.Range(0, 718).Select(i =>
        {
            var (start, end) = (20 + 10.0 * i, 30 + 10.0 * i);
            var seizure = truth.Any(e => e.ClassIndex == 0 && e.OnsetSeconds < end && e.OffsetSeconds > start) ? 1f : 0f;
            return new SegmentScore(start, end, [seizure, 0, 0, 0, 0, 1 - seizure], SegmentQuality.Good);
        }).ToList();
        var analysis = RecordingAnalysis.Of(segments);
        var score = analysis.ScoreSeizures(truth, 7200);
        Assert.True(score.ReferenceEvents > 0);
        Assert.Equal(1.0, score.Sensitivity);
        Assert.Equal(0, score.FalsePositives);
    }
}
