using System.Globalization;
using System.Text;
using Hbac.Eeg.Metrics;

namespace Hbac.Cli.Benchmarks;

/// <summary>One stream level: how many replies came back, their latency percentiles, and the streams that ended early.</summary>
/// <param name="Refused">Streams the service ended with ResourceExhausted (its overload limit).</param>
/// <param name="Failed">Streams that ended with any other error.</param>
/// <param name="PeakBytes">The service's peak resident memory during this level; null when it cannot be read.</param>
/// <param name="Stages">Where the level's windows spent their time inside the service; null when not read.</param>
/// <param name="FirstFailure">The status of the first stream that failed ("Code: detail"), or null.</param>
internal sealed record StreamLevel(int Streams, int Replies, int Expected, double P50Ms, double P99Ms, int Refused, int Failed, long? PeakBytes = null,
    StageBreakdown? Stages = null, string? FirstFailure = null)
{
    /// <summary>EEG windows each replica (asked at its own address, --replica) scored during the level; null when not asked.</summary>
    public IReadOnlyList<long>? WindowsPerReplica { get; init; }

    /// <summary>
    /// p99 of each stream's first reply and of its later ones (null: not split). With <c>--burst 49</c> the first
    /// window follows 49 s from every stream within 2 s, so a level's tail can be its start rather than its steady state.
    /// </summary>
    public (double First, double Later)? P99FirstAndLaterMs { get; init; }

    /// <summary>The same level run directly at one replica's own address (--direct), for the proxy's cost.</summary>
    public StreamLevel? Direct { get; init; }

    /// <summary>Every expected reply arrived, no stream ended early, and p99 is under the target.</summary>
    public bool Meets(double p99TargetMs) => Refused == 0 && Failed == 0 && Replies == Expected && P99Ms < p99TargetMs;
}

/// <summary>
/// Single-window Score throughput of one service configuration (MaxBatch null = as the server is configured), the service's CPU
/// time per window, and the network's wall time per window inside the service (its profile's model stage; NaN: not read).
/// </summary>
internal sealed record ThroughputResult(int? MaxBatch, double WindowsPerSecond, double CpuMsPerWindow, double ModelMsPerWindow = double.NaN)
{
    /// <summary>Windows per second of each round when this is the median of several (<see cref="MedianOf"/>); null for one run.</summary>
    public IReadOnlyList<double>? Rounds { get; init; }

    /// <summary>Each figure the median of <paramref name="rounds"/> (one configuration measured several times), the rounds kept.</summary>
    public static ThroughputResult MedianOf(IReadOnlyList<ThroughputResult> rounds) =>
        new(rounds[0].MaxBatch, Median(rounds.Select(r => r.WindowsPerSecond)), Median(rounds.Select(r => r.CpuMsPerWindow)), Median(rounds.Select(r => r.ModelMsPerWindow)))
        {
            Rounds = rounds.Count > 1 ? [.. rounds.Select(r => r.WindowsPerSecond)] : null,
        };

    /// <summary>
    /// Batched over unbatched throughput: the median of the rounds' ratios when both were measured in the same
    /// alternating rounds (each pair ran within a minute, so a change in the shared machine's load moves both),
    /// else the ratio of the two figures.
    /// </summary>
    public static (double Ratio, IReadOnlyList<double>? Rounds)? BatchingRatio(ThroughputResult? off, ThroughputResult? on)
    {
        if (off is not { WindowsPerSecond: > 0 } || on is null)
        {
            return null;
        }
        if (off.Rounds is { } offRounds && on.Rounds is { } onRounds && offRounds.Count == onRounds.Count && offRounds.All(r => r > 0))
        {
            var ratios = offRounds.Zip(onRounds, (a, b) => b / a).ToList();
            return (Median(ratios), ratios);
        }
        return (on.WindowsPerSecond / off.WindowsPerSecond, null);
    }

    // A figure a round could not read (NaN) is left out; none read gives NaN.
    private static double Median(IEnumerable<double> values) => Statistics.Median(values.Where(double.IsFinite));
}

/// <summary>
/// Everything <c>hbac bench load</c> measured, and its Markdown table (printed, and written with --out).
/// Pure formatting: numbers in, text out.
/// </summary>
internal sealed record LoadBenchmarkReport(
    string Model,
    string Machine,
    int Cores,
    int Callers,
    ThroughputResult? Unbatched,
    ThroughputResult Batched,
    int BurstSeconds,
    int PacedSeconds,
    double P99TargetMs,
    IReadOnlyList<StreamLevel> Levels,
    int? Largest,
    int? SmallestFailed,
    long? PeakBytes)
{
    /// <summary>Streams in the stream-throughput test.</summary>
    public int ThroughputStreams { get; init; }

    /// <summary>
    /// EEG stream windows per second with micro-batching off (<see cref="ThroughputStreams"/> streams sending as fast as
    /// the service takes them); null when not measured (a running --server, whose batching cannot be switched).
    /// </summary>
    public ThroughputResult? StreamUnbatched { get; init; }

    /// <summary>The same with micro-batching on (or the server's own batching); null when not measured.</summary>
    public ThroughputResult? StreamBatched { get; init; }

    public double? StreamBatchingRatio => ThroughputResult.BatchingRatio(StreamUnbatched, StreamBatched)?.Ratio;

    /// <summary>The service's peak memory while it carried the largest passing level (what the target is about).</summary>
    public long? PeakAtLargestBytes => Levels.LastOrDefault(l => l.Streams == Largest && l.Meets(P99TargetMs))?.PeakBytes;

    public const int TargetStreams = 400;
    public const double TargetBatchingRatio = 1.3;
    public const double TargetPeakGb = 1.5;

    /// <summary>A real-time stream needs one model evaluation per reply period.</summary>
    public const int SecondsPerWindow = 2;

    /// <summary>
    /// Streams the machine's cores would carry if the service had them to itself, from its measured CPU
    /// time per window: the load-independent figure on a shared machine (an upper bound: it ignores latency).
    /// </summary>
    public double? ProjectedStreams => double.IsFinite(Batched.CpuMsPerWindow) && Batched.CpuMsPerWindow > 0
        ? Cores * 1000 / Batched.CpuMsPerWindow * SecondsPerWindow
        : null;

    public double? BatchingRatio => ThroughputResult.BatchingRatio(Unbatched, Batched)?.Ratio;

    /// <summary>
    /// The same comparison in the service's CPU time per window (unbatched / batched; above 1 = batching
    /// saves work): on a machine shared with other work it moves far less than wall-clock throughput.
    /// </summary>
    public double? CpuRatio => Unbatched is { } off && double.IsFinite(off.CpuMsPerWindow) && double.IsFinite(Batched.CpuMsPerWindow) && Batched.CpuMsPerWindow > 0
        ? off.CpuMsPerWindow / Batched.CpuMsPerWindow
        : null;

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| inference load | measured | target |");
        text.AppendLine("|---|---|---|");
        Row(text, "model", Model, "");
        Row(text, "machine", Machine, "");
        if (Unbatched is { } off)
        {
            Row(text, $"Score throughput, {Callers} callers, micro-batching off (MaxBatch=1)", Throughput(off), "");
        }
        Row(text, $"Score throughput, {Callers} callers, " + (Batched.MaxBatch is { } max ? $"micro-batching on (MaxBatch={max})" : "the server's own batching"),
            Throughput(Batched) + OnOff(Unbatched, Batched) + (CpuRatio is { } cpu ? $" (service CPU per window: off/on = {Ratio(cpu)})" : ""),
            BatchingRatio is { } r ? Verdict(r >= TargetBatchingRatio, $">= {Ratio(TargetBatchingRatio)}") : "");
        if (Unbatched is { ModelMsPerWindow: var offModel } && double.IsFinite(offModel) && double.IsFinite(Batched.ModelMsPerWindow) && Batched.ModelMsPerWindow > 0)
        {
            // What batching does to the network alone: the rest of a Score call (receiving the tensor, gRPC) is not batched.
            Row(text, "the network's wall time per window inside the service (its model stage), micro-batching off / on",
                $"{Number(offModel, "0.00")} / {Number(Batched.ModelMsPerWindow, "0.00")} ms: off/on = {Ratio(offModel / Batched.ModelMsPerWindow)}", "");
        }
        if (StreamBatched is { } streamOn)
        {
            // The streams' own path: each window is formed in the service, so no 1.44-MB tensor is received per window.
            var what = $"EEG stream windows, {ThroughputStreams} streams sending as fast as the service takes them";
            if (StreamUnbatched is { } streamOff)
            {
                Row(text, $"{what}, micro-batching off (MaxBatch=1)", Throughput(streamOff), "");
            }
            Row(text, what + ", " + (streamOn.MaxBatch is { } streamMax ? $"micro-batching on (MaxBatch={streamMax})" : "the server's own batching"),
                Throughput(streamOn) + OnOff(StreamUnbatched, streamOn)
                    + (StreamUnbatched is { } unbatchedStreams ? NetworkOffOn(unbatchedStreams, streamOn) : ""),
                StreamBatchingRatio is { } gain ? Verdict(gain >= TargetBatchingRatio, $">= {Ratio(TargetBatchingRatio)}") : "");
        }
        Row(text, $"largest N real-time streams with p99 < {Number(P99TargetMs, "0")} ms", LargestText(), Largest is { } n ? Verdict(n >= TargetStreams, $">= {TargetStreams}") : $"not met (>= {TargetStreams})");
        if (Largest is { } largest && Batched.WindowsPerSecond > 0)
        {
            // A stream needs one window every 2 s: on a shared machine this ratio says more than N itself.
            Row(text, "its model load / batched Score throughput", $"{Number(largest / 2.0, "0.#")} / {Number(Batched.WindowsPerSecond, "0.#")} windows/s = {Number(100 * largest / 2.0 / Batched.WindowsPerSecond, "0")}%", "");
        }
        if (ProjectedStreams is { } projected)
        {
            Row(text, $"streams {Cores} idle cores could carry at the batched service's CPU per window (estimate, 100% CPU)",
                $"{Number(projected, "0")} = {Cores} x 1000 / {Ms(Batched.CpuMsPerWindow)} ms x {SecondsPerWindow} s", "");
        }
        if (PeakAtLargestBytes is { } atLargest)
        {
            Row(text, $"service peak memory (VmHWM) carrying the {Largest} streams", Mb(atLargest), Verdict(atLargest / 1e9 <= TargetPeakGb, $"<= {Number(TargetPeakGb, "0.0")} GB"));
        }
        Row(text, "service peak memory (VmHWM) over the whole run, overloaded levels included", PeakBytes is { } peak ? Mb(peak) : "unknown (not spawned here)",
            PeakAtLargestBytes is null && PeakBytes is { } p ? Verdict(p / 1e9 <= TargetPeakGb, $"<= {Number(TargetPeakGb, "0.0")} GB") : "");
        text.AppendLine();
        var pacing = BurstSeconds > 0 ? $"{PacedSeconds} s real time after a {BurstSeconds}-s burst" : $"{PacedSeconds} s in real time from the first second, no burst";
        text.AppendLine($"Stream levels ({pacing}, starts spread over 2 s; latency = window-completing chunk sent -> reply):");
        text.AppendLine();
        text.AppendLine("| streams | replies | expected | p50 ms | p99 ms | p99 ms: first reply / later | refused | failed | peak MB | result |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var level in Levels)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {level.Streams} | {level.Replies} | {level.Expected} | {Ms(level.P50Ms)} | {Ms(level.P99Ms)} | {(level.P99FirstAndLaterMs is var (first, later) ? $"{Ms(first)} / {Ms(later)}" : "-")} | {level.Refused} | {level.Failed} | {(level.PeakBytes is { } b ? Number(b / 1048576.0, "0") : "-")} | {(level.Meets(P99TargetMs) ? "pass" : "fail")} |"));
        }
        if (Levels.Any(l => l.WindowsPerReplica is not null))
        {
            text.AppendLine();
            text.AppendLine("Streams per replica (each replica's EEG windows scored in the level, asked at its own address, / windows per stream):");
            text.AppendLine();
            text.AppendLine("| streams | replicas | streams per replica | smallest / largest share |");
            text.AppendLine("|---:|---:|---|---:|");
            foreach (var level in Levels.Where(l => l.WindowsPerReplica is { Count: > 0 }))
            {
                var perStream = level.Streams > 0 ? level.Expected / (double)level.Streams : double.NaN;
                var shares = level.WindowsPerReplica!.Select(w => w / perStream).ToList();
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {level.Streams} | {shares.Count} | {string.Join(" / ", shares.Select(x => Number(x, "0")))} | {Number(shares.Min() / Math.Max(shares.Max(), 1e-9), "0.00")} |"));
            }
        }
        if (Levels.Any(l => l.Direct is not null))
        {
            text.AppendLine();
            text.AppendLine("The proxy's cost: each level through --server, then at once the same level directly at --direct (one replica's own address):");
            text.AppendLine();
            text.AppendLine("| streams | replies via proxy / direct | p50 ms proxy / direct | p99 ms proxy / direct | p50 ratio | p99 ratio |");
            text.AppendLine("|---:|---|---|---|---:|---:|");
            foreach (var level in Levels.Where(l => l.Direct is not null))
            {
                var direct = level.Direct!;
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {level.Streams} | {level.Replies}/{level.Expected} / {direct.Replies}/{direct.Expected} | {Ms(level.P50Ms)} / {Ms(direct.P50Ms)} | {Ms(level.P99Ms)} / {Ms(direct.P99Ms)} | {Ratio(level.P50Ms / direct.P50Ms)} | {Ratio(level.P99Ms / direct.P99Ms)} |"));
            }
        }
        foreach (var level in Levels.Where(l => l.FirstFailure is not null))
        {
            text.AppendLine();
            text.AppendLine($"The {level.Streams}-stream level's first failed stream: {level.FirstFailure}");
        }
        // The breakdown of the largest passing level (what the target is about), else of the last one tried.
        var profiled = Levels.LastOrDefault(l => l.Streams == Largest && l.Meets(P99TargetMs) && l.Stages is not null) ?? Levels.LastOrDefault(l => l.Stages is not null);
        if (profiled?.Stages is { } stages)
        {
            text.AppendLine();
            text.Append(stages.ToMarkdown());
        }
        return text.ToString();
    }

    /// <summary>One progress line for a finished level.</summary>
    public static string ProgressLine(int index, StreamLevel level, double p99TargetMs) => string.Create(CultureInfo.InvariantCulture,
        $"level {index}: {level.Streams} streams, {level.Replies}/{level.Expected} replies, p50 {Ms(level.P50Ms)} ms, p99 {Ms(level.P99Ms)} ms{(level.P99FirstAndLaterMs is var (first, later) ? $" (first reply {Ms(first)}, later {Ms(later)})" : "")}, {level.Refused} refused, {level.Failed} failed{(level.FirstFailure is { } why ? $" (first: {why})" : "")}{(level.PeakBytes is { } b ? $", service peak {Number(b / 1048576.0, "0")} MB" : "")} -> {(level.Meets(p99TargetMs) ? "pass" : "fail")}");

    private string LargestText() => (Largest, SmallestFailed) switch
    {
        ({ } n, { } failed) => $"{n} (the next level tried, {failed}, did not meet it)",
        ({ } n, null) => $"{n} or more (no level tried failed)",
        (null, { } failed) => $"none (already {failed} did not meet it)",
        _ => "none tried",
    };

    private static string Throughput(ThroughputResult result) =>
        string.Create(CultureInfo.InvariantCulture, $"{result.WindowsPerSecond:0.0} windows/s ({Ms(1000 / result.WindowsPerSecond)} ms wall, {Ms(result.CpuMsPerWindow)} ms service CPU per window)");

    /// <summary>"; on/off = 1.37x", and each round's ratio when there were several.</summary>
    private static string OnOff(ThroughputResult? off, ThroughputResult on) => ThroughputResult.BatchingRatio(off, on) switch
    {
        ({ } ratio, { } rounds) => $"; on/off = {Ratio(ratio)} (median of {rounds.Count} alternating rounds: {string.Join(", ", rounds.Select(Ratio))})",
        ({ } ratio, null) => $"; on/off = {Ratio(ratio)}",
        null => "",
    };

    private static string NetworkOffOn(ThroughputResult off, ThroughputResult on) =>
        double.IsFinite(off.ModelMsPerWindow) && double.IsFinite(on.ModelMsPerWindow) && on.ModelMsPerWindow > 0
            ? $"; the network {Ms2(off.ModelMsPerWindow)} / {Ms2(on.ModelMsPerWindow)} ms per window off / on ({Ratio(off.ModelMsPerWindow / on.ModelMsPerWindow)})"
            : "";

    private static string Ms2(double ms) => Number(ms, "0.00");

    private static string Verdict(bool met, string target) => $"{(met ? "met" : "NOT met")} ({target})";

    private static void Row(StringBuilder text, string what, string value, string target) => text.AppendLine($"| {what} | {value} | {target} |");

    private static string Ms(double ms) => double.IsNaN(ms) || double.IsInfinity(ms) ? "-" : Number(ms, "0.0");

    private static string Mb(long bytes) => $"{Number(bytes / 1048576.0, "0")} MB";

    private static string Ratio(double ratio) => Number(ratio, "0.00") + "x";

    private static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
