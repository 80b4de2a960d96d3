using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Hbac.Cli.Benchmarks;
using Hbac.Cli.Services;
using Hbac.Contracts.V1;
using Hbac.Eeg.Formats;
using Hbac.Onnx;

namespace Hbac.Cli.Commands;

/// <summary>
/// <c>hbac bench load</c>: concurrent real-time EEG streams against one inference service (the largest
/// N with p99 reply latency under 500 ms, searched by doubling then bisecting), single-window Score
/// throughput with and without micro-batching, and the service's peak memory. By default the service
/// is started here, in its own process (for throughput two side by side, MaxBatch=1 and MaxBatch=n, measured in
/// alternating rounds; then a fresh one per stream level, whose memory is reported),
/// serving an untrained full-resolution MobileNetV3-Large - what the <c>seed</c> profile trains - or the
/// model given with --model / --models. <c>--server &lt;url&gt;</c> measures a running service as configured.
/// Streams run in real time from their first second (a level takes 69 s); <c>--burst 49</c> instead starts
/// every stream with a window's backlog, the load of streams failing over together, in 20 s.
/// The result is one Markdown table (stdout, and --out); a progress line per level goes to stderr.
/// </summary>
internal static class BenchLoadCommand
{
    private const double LatencyTargetMs = 500;

    /// <summary>Signal per stream and level by default: windows ending at 50, 52, ..., 68 s, 10 replies.</summary>
    private const int DefaultStreamSeconds = 69;

    public static Command Create()
    {
        var server = new Option<string?>("--server") { Description = "Measure a running inference service at this URL, as configured (no batching comparison, no memory)" };
        var spawn = new Option<bool>("--spawn") { Description = "Start the inference service here (the default without --server)" };
        var model = new Option<string?>("--model") { Description = "ONNX model to serve (default: an untrained full-resolution MobileNetV3-Large exported here)" };
        var models = new Option<string?>("--models") { Description = "Model repository to serve instead (folder of <version>/model.onnx)" };
        var service = new Option<string?>("--service") { Description = "Hbac.Inference.dll to start (default: found under src/Hbac.Inference/bin, Release first)" };
        var streams = new Option<string?>("--streams") { Description = "Comma-separated stream counts to run in increasing order, stopping at the first that misses the target (default: search)" };
        var start = new Option<int>("--start") { Description = "Search: the first stream count (then doubled until one fails, then bisected to 10%)", DefaultValueFactory = _ => 50 };
        var maxStreams = new Option<int>("--max-streams") { Description = "Search: the largest stream count tried", DefaultValueFactory = _ => 1600 };
        var burst = new Option<int>("--burst")
        {
            Description = "Seconds of signal each stream sends at once before pacing, 0-49 (0: every second in real time, the first reply after 50 s; 49: a window's backlog from every stream within 2 s, as when streams fail over together)",
            DefaultValueFactory = _ => 0,
        };
        var seconds = new Option<int?>("--seconds") { Description = $"Real-time seconds per stream level after the burst (default {DefaultStreamSeconds} minus --burst: 10 replies per stream)" };
        var clients = new Option<int>("--clients") { Description = "Concurrent Score callers in the throughput test", DefaultValueFactory = _ => 16 };
        var throughputSeconds = new Option<int>("--throughput-seconds") { Description = "Duration of each throughput measurement", DefaultValueFactory = _ => 10 };
        var warmupSeconds = new Option<int>("--warmup-seconds") { Description = "Load before each throughput measurement (every batch size runs once first)", DefaultValueFactory = _ => 5 };
        var throughputStreams = new Option<int>("--throughput-streams")
        {
            Description = "Concurrent EEG streams in the stream-throughput test, each sending as fast as the service takes its signal (several per batch, so windows form while a batch runs)",
            DefaultValueFactory = _ => 64,
        };
        var maxBatch = new Option<int>("--max-batch") { Description = "MaxBatch of the batched spawned service", DefaultValueFactory = _ => 16 };
        var throughputRounds = new Option<int>("--throughput-rounds")
        {
            Description = "Spawned services: rounds of the throughput tests, micro-batching off and on alternating in each; the table gives the medians and the median of the rounds' on/off ratios",
            DefaultValueFactory = _ => 3,
        };
        var recording = new Option<string?>("--recording") { Description = "EEG recording to stream (default: synthetic signal)" };
        var output = (new Option<string?>("--out") { Description = "Also write the Markdown table to this file" }).MustNotBeAFolder();
        var replicas = new Option<string[]>("--replica")
        {
            Description = "With --server behind a proxy: a replica's own address (repeat per replica); each level reports how many streams each one carried, and its stage table sums every replica's profile",
            AllowMultipleArgumentsPerToken = true,
        };
        var scoreTensor = new Option<string>("--score-tensor")
        {
            Description = "What each Score call sends: plane, the [400,300] plane the server repeats on the model's 3 channels (480 KB, as hbac score sends it), or full, the [3,400,300] model input (1.44 MB)",
            DefaultValueFactory = _ => "plane",
        };
        scoreTensor.AcceptOnlyFromAmong("plane", "full");
        var direct = new Option<string?>("--direct") { Description = "With --server behind a proxy: one replica's own address; each level runs again there, and the table gives the proxy's latency cost" };
        var command = new Command("load", "Load-test the inference service: largest N of real-time EEG streams with p99 < 500 ms, batched vs unbatched throughput, peak memory");
        foreach (var option in new Option[] { server, spawn, model, models, service, streams, start, maxStreams, seconds, burst, clients, throughputSeconds, throughputStreams, warmupSeconds, maxBatch, throughputRounds, scoreTensor, recording, output, replicas, direct })
        {
            command.Options.Add(option);
        }
        ServiceKey.AddOptions(command);
        command.SetAction((parseResult, ct) => CliGuard.RunAsync(async () =>
        {
            var url = parseResult.GetValue(server);
            var replicaUrls = parseResult.GetValue(replicas) ?? [];
            var directUrl = parseResult.GetValue(direct);
            if (url is null && (replicaUrls.Length > 0 || directUrl is not null))
            {
                throw new CliUsageException("bench load: --replica and --direct go with --server (a proxy in front of replicas)");
            }
            var onnx = parseResult.GetValue(model);
            var repository = parseResult.GetValue(models);
            if (url is not null && (parseResult.GetValue(spawn) || onnx is not null || repository is not null))
            {
                throw new CliUsageException("bench load: --server measures a running service; --spawn, --model and --models start one here");
            }
            if (onnx is not null && repository is not null)
            {
                throw new CliUsageException("bench load: give --model <onnx> or --models <repository>, not both");
            }
            if (onnx is not null && !File.Exists(onnx))
            {
                throw new CliUsageException($"bench load: {onnx}: model file not found");
            }
            var burstSeconds = parseResult.GetValue(burst);
            var paced = parseResult.GetValue(seconds) ?? DefaultStreamSeconds - burstSeconds;
            var callers = parseResult.GetValue(clients);
            var batch = parseResult.GetValue(maxBatch);
            var rounds = parseResult.GetValue(throughputRounds);
            if (paced < 1 || callers < 1 || parseResult.GetValue(throughputStreams) < 1 || parseResult.GetValue(throughputSeconds) < 1 || parseResult.GetValue(warmupSeconds) < 0 || batch < 1
                || rounds < 1 || parseResult.GetValue(start) < 1 || parseResult.GetValue(maxStreams) < parseResult.GetValue(start))
            {
                throw new CliUsageException("bench load: --seconds, --clients, --throughput-streams, --throughput-seconds, --throughput-rounds, --max-batch and --start must be >= 1, --warmup-seconds >= 0, --max-streams >= --start");
            }
            if (burstSeconds is < 0 or > InferenceLoad.MaxBurstSeconds)
            {
                throw new CliUsageException($"bench load: --burst {burstSeconds}: must be 0 to {InferenceLoad.MaxBurstSeconds} (a burst of a whole window would leave its first reply no chunk to time)");
            }
            if (burstSeconds + paced < Contracts.EegStream.ScoredWindowSeconds)
            {
                throw new CliUsageException($"bench load: --burst {burstSeconds} with --seconds {paced} sends {burstSeconds + paced} s, short of the first {Contracts.EegStream.ScoredWindowSeconds}-s window: no reply would come");
            }
            var levels = parseResult.GetValue(streams) is { } list ? ParseCounts(list) : null;
            var recordingPath = parseResult.GetValue(recording);
            var signal = recordingPath is not null
                ? StreamCommand.StreamChannels(RecordingFiles.Load(recordingPath), recordingPath)
                : InferenceLoad.SyntheticSignal(burstSeconds + paced);
            if (signal[0].Length < (burstSeconds + paced) * Contracts.EegStream.SampleRateHz)
            {
                var seconds = (signal[0].Length / (double)Contracts.EegStream.SampleRateHz).ToString("0.##", CultureInfo.InvariantCulture);
                throw new CliUsageException(
                    $"bench load: --recording {recordingPath}: {seconds} s of signal, shorter than the {burstSeconds + paced} s each stream sends (--burst {burstSeconds} + --seconds {paced})");
            }
            var settings = new Settings(levels, parseResult.GetValue(start), parseResult.GetValue(maxStreams), burstSeconds, paced, callers, parseResult.GetValue(throughputStreams),
                TimeSpan.FromSeconds(parseResult.GetValue(warmupSeconds)), TimeSpan.FromSeconds(parseResult.GetValue(throughputSeconds)), rounds, parseResult.GetValue(scoreTensor) == "plane", signal);
            var loadAtStart = LoadAverage();

            LoadBenchmarkReport report;
            if (url is not null)
            {
                report = await MeasureServerAsync(url, replicaUrls, directUrl, ServiceKey.Resolve(parseResult), settings, loadAtStart, ct);
            }
            else
            {
                var dll = parseResult.GetValue(service) ?? SpawnedInferenceService.FindDll("bench load");
                using var served = PrepareModel(onnx, repository, out var origin);
                report = await MeasureSpawnedAsync(dll, served, origin, batch, settings, loadAtStart, ct);
            }
            BenchmarkFiles.PrintTable(report.ToMarkdown(), parseResult.GetValue(output));
            return 0;
        }));
        return command;
    }

    private sealed record Settings(IReadOnlyList<int>? Levels, int Start, int MaxStreams, int BurstSeconds, int PacedSeconds, int Callers, int ThroughputStreams, TimeSpan Warmup, TimeSpan ThroughputDuration, int ThroughputRounds, bool ScorePlane, float[][] Signal);

    private static LoadBenchmarkModel PrepareModel(string? onnx, string? repository, out string origin)
    {
        if (repository is not null)
        {
            origin = $"active version of {repository}";
            return LoadBenchmarkModel.Existing(repository);
        }
        if (onnx is not null)
        {
            origin = Path.GetFileName(onnx);
            return LoadBenchmarkModel.FromFile(onnx);
        }
        Console.Error.WriteLine($"exporting an untrained full-resolution {LoadBenchmarkModel.DefaultArchitecture} (seed 0) to ONNX ...");
        origin = "untrained, seed 0; the weights do not change the speed";
        return LoadBenchmarkModel.ExportDefault();
    }

    private static async Task<LoadBenchmarkReport> MeasureSpawnedAsync(string dll, LoadBenchmarkModel served, string origin, int batch, Settings settings,
        string loadAtStart, CancellationToken ct)
    {
        var throughputs = await ThroughputsAsync();
        // Every level on a fresh, warmed-up service: an overloaded level leaves a grown heap and buffers
        // behind, which would slow the next level and inflate its memory (the search assumes independent levels).
        var (levels, largest, smallestFailed) = await RunLevelsAsync(settings, async n =>
        {
            await using var service = await SpawnedInferenceService.StartAsync("bench load", dll, served.Repository, batch, SpawnedInferenceService.BothKinds, ct);
            using var channel = service.Channel();
            await InferenceLoad.ScoreThroughputAsync(channel, settings.Callers, settings.ScorePlane, TimeSpan.Zero, settings.Warmup, batch, null, ct);
            using var streams = InferenceLoad.StreamClient(service.Url, service.Key);
            return await InferenceLoad.StreamsAsync(streams, settings.Signal, n, settings.BurstSeconds, settings.PacedSeconds, service.ProcessId, service.CpuTime, ct);
        });
        long? peak = levels.Select(l => l.PeakBytes).Append(throughputs.PeakBytes).Max();
        return new LoadBenchmarkReport(served.Describe(throughputs.Version, origin), Machine(loadAtStart), Environment.ProcessorCount, settings.Callers,
            throughputs.ScoreOff, throughputs.ScoreOn, settings.BurstSeconds, settings.PacedSeconds, LatencyTargetMs, levels, largest, smallestFailed, peak)
        {
            ThroughputStreams = settings.ThroughputStreams,
            StreamUnbatched = throughputs.StreamsOff,
            StreamBatched = throughputs.StreamsOn,
        };

        // Two services, micro-batching off (MaxBatch=1) and on, measured in turn: Score throughput in each round, then
        // the streams' own throughput. Alternating them round by round, rather than one service after the other, puts
        // each off/on pair within a minute of each other on this shared machine, so its ratio is less the machine's drift.
        async Task<Throughputs> ThroughputsAsync()
        {
            Console.Error.WriteLine($"starting two services: micro-batching off (MaxBatch=1) and on (MaxBatch={batch}) ...");
            await using var off = await SpawnedInferenceService.StartAsync("bench load", dll, served.Repository, 1, SpawnedInferenceService.BothKinds, ct);
            await using var on = await SpawnedInferenceService.StartAsync("bench load", dll, served.Repository, batch, SpawnedInferenceService.BothKinds, ct);
            var (scoreOff, scoreOn) = await RoundsAsync("Score throughput", async (service, maxBatch) =>
            {
                using var channel = service.Channel();
                return await InferenceLoad.ScoreThroughputAsync(channel, settings.Callers, settings.ScorePlane, settings.Warmup, settings.ThroughputDuration, maxBatch, service.CpuTime, ct);
            });
            var (streamsOff, streamsOn) = await RoundsAsync($"Stream throughput, {settings.ThroughputStreams} streams as fast as the service takes them", async (service, maxBatch) =>
            {
                using var streams = InferenceLoad.StreamClient(service.Url, service.Key);
                return await InferenceLoad.StreamThroughputAsync(streams, settings.Signal, settings.ThroughputStreams, StreamWarmup(settings), settings.ThroughputDuration, maxBatch, service.CpuTime, ct);
            });
            using var onChannel = on.Channel();
            var version = (await new Inference.InferenceClient(onChannel).ListModelsAsync(new ListModelsRequest(), cancellationToken: ct)).ActiveVersion;
            return new Throughputs(scoreOff, scoreOn, streamsOff, streamsOn, version, InferenceLoad.PeakResidentBytes(on.ProcessId));

            // One measurement of the off service then the on one, per round; each side's medians over the rounds.
            async Task<(ThroughputResult Off, ThroughputResult On)> RoundsAsync(string what, Func<SpawnedInferenceService, int, Task<ThroughputResult>> measure)
            {
                var (offRounds, onRounds) = (new List<ThroughputResult>(), new List<ThroughputResult>());
                for (var round = 1; round <= settings.ThroughputRounds; round++)
                {
                    foreach (var (service, maxBatch, results) in new[] { (off, 1, offRounds), (on, batch, onRounds) })
                    {
                        Console.Error.WriteLine($"{what}, round {round}/{settings.ThroughputRounds}, micro-batching {(maxBatch == 1 ? "off" : "on")} (MaxBatch={maxBatch}) ...");
                        results.Add(await measure(service, maxBatch));
                    }
                }
                return (ThroughputResult.MedianOf(offRounds), ThroughputResult.MedianOf(onRounds));
            }
        }
    }

    private sealed record Throughputs(ThroughputResult ScoreOff, ThroughputResult ScoreOn, ThroughputResult StreamsOff, ThroughputResult StreamsOn, string Version, long? PeakBytes);

    /// <summary>
    /// The warm-up of a stream-throughput run: every stream's first 50 s go by before it can reply, so the Score
    /// warm-up plus the time those 1-s chunks take at 1000 per second (the quick EEG model's service takes ~3000).
    /// </summary>
    private static TimeSpan StreamWarmup(Settings settings) =>
        settings.Warmup + TimeSpan.FromSeconds(settings.ThroughputStreams * (double)Contracts.EegStream.ScoredWindowSeconds / 1000);

    private static async Task<LoadBenchmarkReport> MeasureServerAsync(
        string url, IReadOnlyList<string> replicaUrls, string? directUrl, ServiceKey key, Settings settings, string loadAtStart, CancellationToken ct)
    {
        using var channel = InferenceLoad.Channel(url, key);
        var models = await new Inference.InferenceClient(channel).ListModelsAsync(new ListModelsRequest(), cancellationToken: ct);
        var active = models.Models.Where(m => m.Active).ToList();
        var description = active.Count == 0
            ? $"no active model at {url}"
            : string.Join("; ", active.Select(m =>
                $"{(m.InputKind == Contracts.V1.ModelInputKind.Eeg ? "EEG-window" : "spectrogram")} version {m.Version} ({m.Architecture}) served by {url}, input [{string.Join(",", m.InputShape)}]"));
        Console.Error.WriteLine("Score throughput, the server's own batching ...");
        var throughput = await InferenceLoad.ScoreThroughputAsync(channel, settings.Callers, settings.ScorePlane, settings.Warmup, settings.ThroughputDuration, null, null, ct);
        using var streams = InferenceLoad.StreamClient(url, key);
        ThroughputResult? streamThroughput = null;
        // Streams need an EEG-window model; without one the levels below show the refusals.
        if (active.Any(m => m.InputKind == Contracts.V1.ModelInputKind.Eeg))
        {
            Console.Error.WriteLine($"Stream throughput, {settings.ThroughputStreams} streams as fast as the service takes them, the server's own batching ...");
            streamThroughput = await InferenceLoad.StreamThroughputAsync(streams, settings.Signal, settings.ThroughputStreams, StreamWarmup(settings), settings.ThroughputDuration, null, null, ct);
        }
        using var directStreams = directUrl is null ? null : InferenceLoad.StreamClient(directUrl, key);
        // Through a proxy, GetServingProfile reaches one replica: with the replicas' own addresses the stage sums are all of theirs.
        var replicaProfiles = replicaUrls.Count > 0 ? ServingProfileReader.OfReplicas(replicaUrls, key) : null;
        var (levels, largest, smallestFailed) = await RunLevelsAsync(settings, async n =>
        {
            var level = await InferenceLoad.StreamsAsync(streams, settings.Signal, n, settings.BurstSeconds, settings.PacedSeconds, null, null, ct, replicaProfiles);
            level = level with { WindowsPerReplica = replicaProfiles?.EegWindowsPerService };
            if (directStreams is not null)
            {
                Console.Error.WriteLine($"  the same {n} streams directly at {directUrl} ...");
                level = level with { Direct = await InferenceLoad.StreamsAsync(directStreams, settings.Signal, n, settings.BurstSeconds, settings.PacedSeconds, null, null, ct) };
            }
            return level;
        });
        return new LoadBenchmarkReport(description, Machine(loadAtStart), Environment.ProcessorCount, settings.Callers, null, throughput,
            settings.BurstSeconds, settings.PacedSeconds, LatencyTargetMs, levels, largest, smallestFailed, null)
        {
            ThroughputStreams = settings.ThroughputStreams,
            StreamBatched = streamThroughput,
        };
    }

    /// <summary>The given levels in order up to the first that misses the target, or the doubling/bisecting search.</summary>
    private static async Task<(List<StreamLevel> Levels, int? Largest, int? SmallestFailed)> RunLevelsAsync(Settings settings, Func<int, Task<StreamLevel>> runLevel)
    {
        var results = new List<StreamLevel>();
        async Task<bool> RunAsync(int n)
        {
            Console.Error.WriteLine($"level {results.Count + 1}: {n} real-time streams for {settings.BurstSeconds + settings.PacedSeconds} s ({settings.BurstSeconds} s at once) ...");
            var level = await runLevel(n);
            results.Add(level);
            Console.Error.WriteLine(LoadBenchmarkReport.ProgressLine(results.Count, level, LatencyTargetMs));
            return level.Meets(LatencyTargetMs);
        }

        if (settings.Levels is { } fixedLevels)
        {
            int? largest = null;
            foreach (var n in fixedLevels)
            {
                if (!await RunAsync(n))
                {
                    return (results, largest, n);
                }
                largest = n;
            }
            return (results, largest, null);
        }
        var search = new StreamCountSearch(settings.Start, settings.MaxStreams);
        while (search.Next is { } next)
        {
            search.Record(next, await RunAsync(next));
        }
        return (results, search.Largest, search.SmallestFailed);
    }

    private static List<int> ParseCounts(string text)
    {
        var counts = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            counts.Add(int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new CliUsageException($"--streams: '{part}' is not a positive count"));
        }
        return counts.Count > 0 ? counts : throw new CliUsageException("--streams: give at least one count");
    }

    private static string Machine(string loadAtStart) =>
        $"{Environment.ProcessorCount} cores shared with other work; 1/5/15-min load average {loadAtStart} at start, {LoadAverage()} at end";

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
