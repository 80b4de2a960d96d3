namespace Hbac.Eeg.Reports;

/// <summary>
/// Everything a whole-recording report derives from its scored segments: minutes per class, the seizure
/// burden over trailing 5- and 60-minute windows, the status-epilepticus flags and the events. Pure:
/// the command and the RPC serialise it.
/// </summary>
public sealed record RecordingAnalysis(
    IReadOnlyList<SegmentScore> Segments,
    double[] ClassMinutes,
    double NotScoredMinutes,
    IReadOnlyList<BurdenPoint> Burden5Minutes,
    IReadOnlyList<BurdenPoint> Burden60Minutes,
    IReadOnlyList<StatusEpilepticusFlag> StatusEpilepticus,
    IReadOnlyList<DetectedEvent> Events,
    EventDetectionOptions EventOptions)
{
    public const double FiveMinutes = 300;
    public const double SixtyMinutes = 3600;

    public double? MaxBurden5Minutes => Burden5Minutes.Max(p => p.Burden);

    public double? MaxBurden60Minutes => Burden60Minutes.Max(p => p.Burden);

    public static RecordingAnalysis Of(IReadOnlyList<SegmentScore> segments, EventDetectionOptions? options = null)
    {
        options ??= EventDetectionOptions.Default;
        var (minutes, notScored) = SeizureBurden.MinutesPerClass(segments);
        var five = SeizureBurden.Trailing(segments, FiveMinutes);
        var sixty = SeizureBurden.Trailing(segments, SixtyMinutes);
        return new RecordingAnalysis(segments, minutes, notScored, five, sixty,
            StatusEpilepticusRules.Evaluate(five, sixty), EventExtractor.Extract(segments, options), options);
    }

    /// <summary>SzCORE scores of the seizure events against the true ones.</summary>
    public SzCoreScore ScoreSeizures(IEnumerable<AnnotatedEvent> truth, double recordingSeconds) =>
        SzCoreScoring.Score(
            truth.Where(e => e.ClassIndex == SeizureBurden.SeizureClass).Select(e => (e.OnsetSeconds, e.OffsetSeconds)),
            Events.Where(e => e.ClassIndex == SeizureBurden.SeizureClass).Select(e => (e.OnsetSeconds, e.OffsetSeconds)),
            recordingSeconds);
}
