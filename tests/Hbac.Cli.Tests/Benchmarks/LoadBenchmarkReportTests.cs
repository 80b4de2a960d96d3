using Hbac.Cli.Benchmarks;
using Hbac.Contracts.V1;

namespace Hbac.Cli.Tests.Benchmarks;

public sealed class LoadBenchmarkReportTests
{
    private static readonly StreamLevel[] Levels =
    [
        new(100, 1000, 1000, 12.34, 80.04, 0, 0, 500L * 1024 * 1024) { P99FirstAndLaterMs = (78, 20) },
        new(200, 1990, 2000, 40, 2500, 3, 1, FirstFailure: "Unavailable: connection reset"),
        new(150, 1500, 1500, 20, 499.95, 0, 0, 600L * 1024 * 1024),
    ];

    [Fact]
    public void TheTableStatesEachMeasurementItsRatioAndTheTargets()
    {
        var report = new LoadBenchmarkReport("mobilenetv3 (untrained), network input [N,3,400,300] (full resolution)", "2 cores", 2, 16,
            new ThroughputResult(1, 50, 38.25, 4.5), new ThroughputResult(16, 80, 24, 3), 49, 20, 500, Levels, 150, 200, 700L * 1024 * 1024);

        var lines = report.ToMarkdown().Split('\n', StringSplitOptions.TrimEntries);

        Assert.Contains("| model | mobilenetv3 (untrained), network input [N,3,400,300] (full resolution) |  |", lines);
        Assert.Contains("| Score throughput, 16 callers, micro-batching off (MaxBatch=1) | 50.0 windows/s (20.0 ms wall, 38.3 ms service CPU per window) |  |", lines);
        Assert.Contains("| Score throughput, 16 callers, micro-batching on (MaxBatch=16) | 80.0 windows/s (12.5 ms wall, 24.0 ms service CPU per window); on/off = 1.60x (service CPU per window: off/on = 1.59x) | met (>= 1.30x) |", lines);
        Assert.Contains("| the network's wall time per window inside the service (its model stage), micro-batching off / on | 4.50 / 3.00 ms: off/on = 1.50x |  |", lines);
        Assert.Contains("| largest N real-time streams with p99 < 500 ms | 150 (the next level tried, 200, did not meet it) | NOT met (>= 400) |", lines);
        Assert.Contains("| its model load / batched Score throughput | 75 / 80 windows/s = 94% |  |", lines);
        Assert.Contains("| streams 2 idle cores could carry at the batched service's CPU per window (estimate, 100% CPU) | 167 = 2 x 1000 / 24.0 ms x 2 s |  |", lines);
        Assert.Contains("| service peak memory (VmHWM) carrying the 150 streams | 600 MB | met (<= 1.5 GB) |", lines);
        Assert.Contains("| service peak memory (VmHWM) over the whole run, overloaded levels included | 700 MB |  |", lines);
        Assert.Contains("| 100 | 1000 | 1000 | 12.3 | 80.0 | 78.0 / 20.0 | 0 | 0 | 500 | pass |", lines);
        Assert.Contains("| 200 | 1990 | 2000 | 40.0 | 2500.0 | - | 3 | 1 | - | fail |", lines);
        Assert.Contains("| 150 | 1500 | 1500 | 20.0 | 500.0 | - | 0 | 0 | 600 | pass |", lines);
        Assert.Contains("The 200-stream level's first failed stream: Unavailable: connection reset", lines);
        Assert.Contains("Stream levels (20 s real time after a 49-s burst, starts spread over 2 s; latency = window-completing chunk sent -> reply):", lines);
    }

    [Fact]
    public void StreamThroughputIsComparedOffAndOnWithItsNetworkAndTheTarget()
    {
        var report = new LoadBenchmarkReport("m", "2 cores", 2, 16, new ThroughputResult(1, 50, 38.25), new ThroughputResult(16, 80, 24), 0, 70, 500, [Levels[0]], 100, null, null)
        {
            ThroughputStreams = 64,
            StreamUnbatched = new ThroughputResult(1, 1000, 1.6, 1.05),
            StreamBatched = new ThroughputResult(16, 1250, 1.25, 0.75),
        };

        var lines = report.ToMarkdown().Split('\n', StringSplitOptions.TrimEntries);

        Assert.Contains("| EEG stream windows, 64 streams sending as fast as the service takes them, micro-batching off (MaxBatch=1) | 1000.0 windows/s (1.0 ms wall, 1.6 ms service CPU per window) |  |", lines);
        Assert.Contains("| EEG stream windows, 64 streams sending as fast as the service takes them, micro-batching on (MaxBatch=16) | 1250.0 windows/s (0.8 ms wall, 1.3 ms service CPU per window); on/off = 1.25x; the network 1.05 / 0.75 ms per window off / on (1.40x) | NOT met (>= 1.30x) |", lines);
    }

    [Fact]
    public void AServersStreamThroughputHasNoRatioToJudge()
    {
        var report = new LoadBenchmarkReport("m", "2 cores", 2, 16, null, new ThroughputResult(null, 80, 24), 0, 70, 500, [Levels[0]], 100, null, null)
        {
            ThroughputStreams = 8,
            StreamBatched = new ThroughputResult(null, 400, double.NaN),
        };

        var lines = report.ToMarkdown().Split('\n', StringSplitOptions.TrimEntries);

        Assert.Contains("| EEG stream windows, 8 streams sending as fast as the service takes them, the server's own batching | 400.0 windows/s (2.5 ms wall, - ms service CPU per window) |  |", lines);
        Assert.DoesNotContain(lines, l => l.Contains("micro-batching off (MaxBatch=1)", StringComparison.Ordinal));
    }

    [Fact]
    public void LevelsWithoutABurstSayTheyRanInRealTimeFromTheFirstSecond()
    {
        var report = new LoadBenchmarkReport("m", "2 cores", 2, 16, null, new ThroughputResult(null, 80, 24), 0, 70, 500, [Levels[0]], 100, null, null);

        var lines = report.ToMarkdown().Split('\n', StringSplitOptions.TrimEntries);

        Assert.Contains("Stream levels (70 s in real time from the first second, no burst, starts spread over 2 s; latency = window-completing chunk sent -> reply):", lines);
        // No unbatched run, so no network comparison.
        Assert.DoesNotContain(lines, l => l.StartsWith("| the network's wall time", StringComparison.Ordinal));
    }

    [Fact]
    public void TheStageBreakdownOfTheLargestPassingLevelSumsTheCostOutsideTheModel()
    {
        var profile = new ServingProfile
        {
            Stages =
            {
                Stage("receive", 100, 5, 4, 100), Stage("window", 100, 260, 240, 100), Stage("queue", 100, 900, 0, 0),
                Stage("batch_copy", 100, 1, 1, 100), Stage("model", 100, 150, 0, 0), Stage("reply", 100, 12, 9, 90),
                // The other model's stages are not this breakdown's.
                new StageCost { InputKind = ModelInputKind.Spectrogram, Stage = "model", Windows = 7, WallMs = 70 },
            },
        };
        var passing = Levels[2] with { Stages = StageBreakdown.From(150, profile, 6.25) };
        var failing = Levels[1] with { Stages = StageBreakdown.From(200, new ServingProfile(), null) };
        var report = new LoadBenchmarkReport("m", "2 cores", 2, 16, null, new ThroughputResult(null, 80, 24), 49, 20, 500,
            [Levels[0], failing, passing], 150, 200, null);

        var lines = report.ToMarkdown().Split('\n', StringSplitOptions.TrimEntries);

        Assert.Contains(lines, l => l.StartsWith("Where a stream window's time goes inside the service (EEG-window model, the 150-stream level", StringComparison.Ordinal));
        Assert.Contains("| window | 100 | 2.600 | 2.400 |", lines);
        Assert.Contains("| queue | 100 | 9.000 | - |", lines);
        Assert.Contains("| model | 100 | 1.500 | - |", lines);
        // CPU per window over the windows it was read for: 9 ms over 90 replies.
        Assert.Contains("| reply | 100 | 0.120 | 0.100 |", lines);
        Assert.Contains("| **outside the model** (receive + window + batch_copy + reply) | | | **2.550** (NOT met: < 2 ms) |", lines);
        Assert.Contains(lines, l => l.StartsWith("| the service's whole CPU per reply", StringComparison.Ordinal) && l.EndsWith("| 6.250 |", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("| model | 7 ", StringComparison.Ordinal));
    }

    [Fact]
    public void AStageBreakdownOfTheSteadyStateShowsTheWholeLevelBesideIt()
    {
        // Before every stream replied: the first windows carry each stream's first 50 s of signal.
        var warmUp = new ServingProfile
        {
            Stages = { Stage("receive", 10, 20, 20, 10), Stage("window", 10, 150, 140, 10), Stage("model", 10, 20, 0, 0), Stage("reply", 10, 1, 1, 10) },
        };
        var steady = new ServingProfile
        {
            Stages =
            {
                Stage("receive", 30, 3, 3, 30), Stage("window", 30, 21, 18, 30), Stage("queue", 30, 60, 0, 0),
                Stage("batch_copy", 30, 0.3, 0.3, 30), Stage("model", 30, 45, 0, 0), Stage("reply", 30, 3, 3, 30),
            },
        };
        var level = Levels[2] with { Stages = StageBreakdown.From(150, warmUp, steady, 3.5, 9.25) };
        var report = new LoadBenchmarkReport("m", "2 cores", 2, 16, null, new ThroughputResult(null, 80, 24), 49, 20, 500, [level], 150, null, null);

        var lines = report.ToMarkdown().Split('\n', StringSplitOptions.TrimEntries);

        Assert.Contains(lines, l => l.Contains("in the steady state: from the moment every stream had its first reply", StringComparison.Ordinal));
        Assert.Contains("| stage | windows | wall ms per window | CPU ms per window (its thread) | CPU ms per window, whole level |", lines);
        // Steady: 18 ms over 30 windows; whole level: 158 ms over 40.
        Assert.Contains("| window | 30 | 0.700 | 0.600 | 3.950 |", lines);
        // A stage the warm-up never reached is its steady rows alone.
        Assert.Contains("| queue | 30 | 2.000 | - | - |", lines);
        Assert.Contains("| batch_copy | 30 | 0.010 | 0.010 | 0.010 |", lines);
        // Steady 0.1 + 0.6 + 0.01 + 0.1; whole 23/40 + 3.95 + 0.01 + 4/40.
        Assert.Contains("| **outside the model** (receive + window + batch_copy + reply) | | | **0.810** (met: < 2 ms) | 4.635 |", lines);
        Assert.Contains(lines, l => l.StartsWith("| the service's whole CPU per reply", StringComparison.Ordinal) && l.EndsWith("| 3.500 | 9.250 |", StringComparison.Ordinal));
    }

    [Fact]
    public void ALevelWithoutALaterWindowIsTheWholeLevelsBreakdownStragglersIncluded()
    {
        var warmUp = new ServingProfile
        {
            Stages = { Stage("receive", 2, 2, 2, 2), Stage("window", 2, 30, 28, 2), Stage("model", 2, 4, 0, 0), Stage("reply", 1, 0.1, 0.1, 1) },
        };
        // The second stream's first reply, recorded by the service after its client had it and reset the sums.
        var steady = new ServingProfile { Stages = { Stage("reply", 1, 0.3, 0.3, 1) } };

        var breakdown = StageBreakdown.From(2, warmUp, steady, 1.0, 7.5);

        Assert.False(breakdown.SteadyState);
        Assert.Equal(["receive", "window", "model", "reply"], breakdown.Rows.Select(r => r.Stage));
        Assert.Equal(new StageRow("reply", 2, 0.2, 0.2), breakdown.Rows[^1]);
        Assert.Equal(7.5, breakdown.ServiceCpuMsPerWindow);
        Assert.Null(breakdown.WholeLevelOutsideCpuMs);
    }

    [Fact]
    public void AlternatingRoundsGiveEachFiguresMedianAndTheMedianOfTheRoundsRatios()
    {
        // A round's model stage could not be read (NaN): the median of the others.
        var off = ThroughputResult.MedianOf([new(1, 100, 5, 1.2), new(1, 80, 6, 1.4), new(1, 120, 4, double.NaN)]);
        var on = ThroughputResult.MedianOf([new(16, 150, 3, 0.8), new(16, 92, 4, 0.9), new(16, 160, 3, 0.7)]);
        var report = new LoadBenchmarkReport("m", "2 cores", 2, 16, off, on, 0, 69, 500, [Levels[2]], 150, null, null)
        {
            ThroughputStreams = 64,
            StreamUnbatched = off,
            StreamBatched = on,
        };

        var text = report.ToMarkdown();

        Assert.Equal((100, 5), (off.WindowsPerSecond, off.CpuMsPerWindow));
        Assert.Equal(1.3, off.ModelMsPerWindow, 1e-12);
        Assert.Equal((150, 3, 0.8), (on.WindowsPerSecond, on.CpuMsPerWindow, on.ModelMsPerWindow));
        // The rounds' ratios 1.50, 1.15 and 1.33: their median, not the medians' 150 / 100.
        Assert.Equal(4.0 / 3, report.BatchingRatio!.Value, 1e-12);
        Assert.Contains("| Score throughput, 16 callers, micro-batching on (MaxBatch=16) | 150.0 windows/s (6.7 ms wall, 3.0 ms service CPU per window); on/off = 1.33x (median of 3 alternating rounds: 1.50x, 1.15x, 1.33x)", text);
        Assert.Contains("micro-batching on (MaxBatch=16) | 150.0 windows/s (6.7 ms wall, 3.0 ms service CPU per window); on/off = 1.33x (median of 3 alternating rounds: 1.50x, 1.15x, 1.33x); the network 1.30 / 0.80 ms per window off / on (1.63x) | met (>= 1.30x) |", text);
        // One run each: the plain ratio.
        var single = report with { Unbatched = new ThroughputResult(1, 100, 5), Batched = new ThroughputResult(16, 150, 3) };
        Assert.Contains("on/off = 1.50x (service CPU per window", single.ToMarkdown());
    }

    private static StageCost Stage(string name, long windows, double wall, double cpu, long cpuWindows) =>
        new() { InputKind = ModelInputKind.Eeg, Stage = name, Windows = windows, WallMs = wall, CpuMs = cpu, CpuWindows = cpuWindows };

    [Fact]
    public void AServerMeasuredAsConfiguredHasNoRatioAndNoMemory()
    {
        var report = new LoadBenchmarkReport("version v1", "2 cores", 2, 4, null, new ThroughputResult(null, 10, double.NaN), 49, 2, 500, [Levels[0] with { PeakBytes = null }], 100, null, null);

        var text = report.ToMarkdown();

        Assert.Contains("| Score throughput, 4 callers, the server's own batching | 10.0 windows/s (100.0 ms wall, - ms service CPU per window) |  |", text);
        Assert.Contains("| largest N real-time streams with p99 < 500 ms | 100 or more (no level tried failed) | NOT met (>= 400) |", text);
        Assert.Contains("| service peak memory (VmHWM) over the whole run, overloaded levels included | unknown (not spawned here) |  |", text);
        Assert.DoesNotContain("carrying the", text);
        Assert.DoesNotContain("on/off", text);
        Assert.DoesNotContain("idle cores", text);
    }

    [Theory]
    [InlineData(0, 0, 1000, 499.9, true)]
    [InlineData(0, 0, 1000, 500, false)]
    [InlineData(1, 0, 1000, 10, false)]
    [InlineData(0, 1, 1000, 10, false)]
    [InlineData(0, 0, 999, 10, false)]
    public void ALevelMeetsTheTargetOnlyWithEveryReplyNoEarlyEndAndP99Under(int refused, int failed, int replies, double p99, bool meets)
    {
        var level = new StreamLevel(100, replies, 1000, 5, p99, refused, failed);

        Assert.Equal(meets, level.Meets(500));
    }

    [Fact]
    public void TheProgressLineNamesTheLevelAndItsOutcome()
    {
        Assert.Equal("level 2: 200 streams, 1990/2000 replies, p50 40.0 ms, p99 2500.0 ms, 3 refused, 1 failed (first: Unavailable: connection reset) -> fail",
            LoadBenchmarkReport.ProgressLine(2, Levels[1], 500));
        Assert.Equal("level 3: 150 streams, 1500/1500 replies, p50 20.0 ms, p99 500.0 ms, 0 refused, 0 failed, service peak 600 MB -> pass",
            LoadBenchmarkReport.ProgressLine(3, Levels[2], 500.1));
    }

    [Fact]
    public void TheProgressLineSplitsTheTailIntoFirstRepliesAndLaterOnes()
    {
        Assert.Equal("level 1: 100 streams, 1000/1000 replies, p50 12.3 ms, p99 80.0 ms (first reply 78.0, later 20.0), 0 refused, 0 failed, service peak 500 MB -> pass",
            LoadBenchmarkReport.ProgressLine(1, Levels[0], 500));
    }

    [Fact]
    public void TheFirstRepliesAreTakenOutOfTheLaterOnesOncePerOccurrence()
    {
        // Two streams' first replies 900 and 5; later replies 5, 10, 20 (a later reply equal to a first one stays later).
        double[] all = [5, 5, 10, 20, 900];
        double[] first = [5, 900];

        var split = InferenceLoad.FirstAndLaterP99(all, first);

        Assert.Equal((900.0, 20.0), split);
        Assert.Null(InferenceLoad.FirstAndLaterP99([5, 900], [5, 900]));
        Assert.Null(InferenceLoad.FirstAndLaterP99([5, 900], []));
    }

    [Fact]
    public void WithoutPerLevelMemoryTheRunsPeakIsCheckedAgainstTheTarget()
    {
        var report = new LoadBenchmarkReport("m", "2 cores", 2, 16, null, new ThroughputResult(16, 80, 24), 49, 20, 500,
            [Levels[1] with { Streams = 100, Replies = 2000, Refused = 0, Failed = 0, P99Ms = 100 }], 100, null, 1700L * 1024 * 1024);

        var text = report.ToMarkdown();

        Assert.Contains("| service peak memory (VmHWM) over the whole run, overloaded levels included | 1700 MB | NOT met (<= 1.5 GB) |", text);
    }

    [Fact]
    public void BehindAProxyEachLevelShowsStreamsPerReplicaAndTheProxysLatencyCostAgainstADirectConnection()
    {
        // 300 streams of 10 replies each: 1000 + 1100 + 900 windows = 100 + 110 + 90 streams.
        var level = new StreamLevel(300, 3000, 3000, 20, 400, 0, 0)
        {
            WindowsPerReplica = [1000, 1100, 900],
            Direct = new StreamLevel(300, 3000, 3000, 16, 320, 0, 0),
        };
        var report = new LoadBenchmarkReport("m", "2 cores", 2, 16, null, new ThroughputResult(null, 80, 24), 49, 20, 500, [level], 300, null, null);

        var text = report.ToMarkdown();

        Assert.Contains("| 300 | 3 | 100 / 110 / 90 | 0.82 |", text);
        Assert.Contains("| 300 | 3000/3000 / 3000/3000 | 20.0 / 16.0 | 400.0 / 320.0 | 1.25x | 1.25x |", text);
    }

    [Fact]
    public void WithoutReplicasOrADirectRunThereAreNoSuchTables()
    {
        var report = new LoadBenchmarkReport("m", "2 cores", 2, 16, null, new ThroughputResult(null, 80, 24), 49, 20, 500, [Levels[0]], 100, null, null);

        var text = report.ToMarkdown();

        Assert.DoesNotContain("Streams per replica", text);
        Assert.DoesNotContain("The proxy's cost", text);
    }
}
