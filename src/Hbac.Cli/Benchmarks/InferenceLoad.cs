using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Hbac.Cli.Services;
using Hbac.Client;
using Hbac.Contracts;
using Hbac.Contracts.Streaming;
using Hbac.Contracts.V1;

namespace Hbac.Cli.Benchmarks;

/// <summary>
/// Load against one inference service: concurrent real-time EEG streams (reply latency from the chunk
/// that completes a window to its reply) and single-window Score throughput.
/// </summary>
internal static class InferenceLoad
{
    public static GrpcChannel Channel(string url, ServiceKey key) => InferenceServer.Connect(url, key, new GrpcChannelOptions
    {
        MaxSendMessageSize = null,
        MaxReceiveMessageSize = null,
        // Hundreds of concurrent streams: more than one HTTP/2 connection's stream limit.
        HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
    });

    /// <summary>
    /// The stream client of a load level: every stream on a connection of its own (so streams through a
    /// proxy spread over its replicas), no resume (a level measures the service as it is: a failed stream
    /// counts as failed), and a reply watchdog far above any passing level's latency.
    /// </summary>
    public static EegStreamClient StreamClient(string url, ServiceKey key) =>
        InferenceServer.StreamClient(url, key, resume: false, replyTimeout: TimeSpan.FromSeconds(60));

    /// <summary>The longest burst: the first window's signal but its last second, so the first reply still has a chunk to time.</summary>
    public const int MaxBurstSeconds = EegStream.ScoredWindowSeconds - 1;

    /// <summary>
    /// <paramref name="streams"/> concurrent streams, each on its own connection: each sends the first
    /// <paramref name="burstSeconds"/> s of signal at once (0: every second in real time from the start, as a live
    /// recording would; at most one second short of the first 50-s window: a backlog from every stream at once, as
    /// when a replica's streams fail over together),
    /// then one 1-s chunk per second for <paramref name="pacedSeconds"/> seconds. Starts are spread evenly over
    /// one reply period (2 s), as independent clients would be, so windows arrive at a steady rate
    /// instead of all in the same second.
    /// </summary>
    /// <param name="servicePid">The service's process, whose peak memory during the level is reported (null: not known).</param>
    /// <param name="serviceCpu">Reads the service's CPU time (null: not known), for its whole CPU per reply.</param>
    /// <param name="profiles">Where the stage sums are read (null: the service the streams reach; with replicas, each replica's).</param>
    public static async Task<StreamLevel> StreamsAsync(EegStreamClient streamClient, float[][] signal, int streams, int burstSeconds, int pacedSeconds, int? servicePid,
        Func<TimeSpan>? serviceCpu, CancellationToken ct, ServingProfileReader? profiles = null)
    {
        var peakKnown = servicePid is { } pid && ResetPeakResident(pid);
        profiles ??= ServingProfileReader.Of(streamClient.Inference);
        // Only this level's windows in the stage sums.
        await profiles.BeginLevelAsync(ct);
        var cpuBefore = serviceCpu?.Invoke();
        var chunks = EegChunks.Split(signal, EegStream.SampleRateHz, SampleLayout.Interleaved).ToArray();
        var total = Math.Min(chunks.Length, burstSeconds + pacedSeconds);
        var latencies = new ConcurrentBag<double>();
        var firstLatencies = new ConcurrentBag<double>();
        var failed = 0;
        var refused = 0;
        string? firstFailure = null;
        var expected = 0;
        for (var end = EegStream.ScoredWindowSamples; end <= total * EegStream.SampleRateHz; end += EegStream.ReplyEverySamples)
        {
            expected++;
        }
        // The steady state starts when every stream has had its first reply: its profile and CPU are read from then on.
        var firstReplied = 0;
        var everyStreamReplied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var steadyStart = SteadyStartAsync(profiles, everyStreamReplied.Task, serviceCpu, () => latencies.Count, ct);
        var tasks = Enumerable.Range(0, streams).Select(async index =>
        {
            await Task.Delay(TimeSpan.FromSeconds(EegStream.ReplyEverySeconds * (double)index / streams), ct);
            try
            {
                await using var stream = streamClient.OpenStream(ct);
                var sentAt = new ConcurrentQueue<long>();
                var reader = Task.Run(async () =>
                {
                    var first = true;
                    await foreach (var _ in stream.ReadAllAsync(ct))
                    {
                        if (sentAt.TryDequeue(out var sent))
                        {
                            var latency = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                            latencies.Add(latency);
                            if (first)
                            {
                                firstLatencies.Add(latency);
                                if (Interlocked.Increment(ref firstReplied) == streams)
                                {
                                    everyStreamReplied.TrySetResult();
                                }
                            }
                            first = false;
                        }
                    }
                }, ct);
                var clock = Stopwatch.StartNew();
                long samples = 0;
                for (var i = 0; i < total; i++)
                {
                    if (i >= burstSeconds)
                    {
                        var due = TimeSpan.FromSeconds(i - burstSeconds) - clock.Elapsed;
                        if (due > TimeSpan.Zero)
                        {
                            await Task.Delay(due, ct);
                        }
                    }
                    var before = samples;
                    samples += chunks[i].Samples.Count / EegStream.ChannelCount;
                    if (CompletesWindow(before, samples))
                    {
                        sentAt.Enqueue(Stopwatch.GetTimestamp());
                    }
                    await stream.SendAsync(chunks[i], ct);
                }
                await stream.CompleteAsync(ct);
                await reader;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
            {
                Interlocked.Increment(ref refused);
            }
            catch (RpcException e)
            {
                Interlocked.Increment(ref failed);
                // The first failure says why: the level's line and table name it.
                Interlocked.CompareExchange(ref firstFailure, $"{e.StatusCode}: {e.Status.Detail}", null);
            }
        });
        await Task.WhenAll(tasks);
        // A stream that failed or was refused never replies: then there is no steady state, only the whole level.
        everyStreamReplied.TrySetCanceled(ct);
        var steady = await steadyStart;
        var cpuEnd = serviceCpu?.Invoke();
        var cpuMsPerReply = cpuBefore is { } before && cpuEnd is { } after && !latencies.IsEmpty
            ? (after - before).TotalMilliseconds / latencies.Count
            : (double?)null;
        var profile = await profiles.ReadAsync(reset: false, ct);
        var stages = steady is { } s
            ? StageBreakdown.From(streams, s.WarmUp, profile,
                s.Cpu is { } cpu && cpuEnd is { } last && latencies.Count > s.Replies ? (last - cpu).TotalMilliseconds / (latencies.Count - s.Replies) : null, cpuMsPerReply)
            : StageBreakdown.From(streams, profile, cpuMsPerReply);
        stages = stages with { Services = profiles.Services };
        var sorted = latencies.Order().ToArray();
        return new StreamLevel(streams, sorted.Length, expected * streams,
            LatencyPercentile.NearestRank(sorted, 0.5), LatencyPercentile.NearestRank(sorted, 0.99), refused, failed,
            peakKnown ? PeakResidentBytes(servicePid!.Value) : null, stages, firstFailure)
        {
            P99FirstAndLaterMs = FirstAndLaterP99(sorted, firstLatencies.Order().ToArray()),
        };
    }

    /// <summary>
    /// Once every stream has replied: the profile's sums so far (each stream's first 50 s of signal among them),
    /// zeroed for the steady state, with the service's CPU and the replies counted at that moment. Null when that
    /// moment never came.
    /// </summary>
    private static async Task<(ServingProfile WarmUp, TimeSpan? Cpu, int Replies)?> SteadyStartAsync(ServingProfileReader profiles, Task everyStreamReplied,
        Func<TimeSpan>? serviceCpu, Func<int> replies, CancellationToken ct)
    {
        try
        {
            await everyStreamReplied;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        var warmUp = await profiles.ReadAsync(reset: true, ct);
        return (warmUp, serviceCpu?.Invoke(), replies());
    }

    // Null when the service does not offer its profile (an older build, or a proxy that does not pass it).
    private static async Task<ServingProfile?> ServingProfileAsync(Inference.InferenceClient client, bool reset, CancellationToken ct)
    {
        try
        {
            return await client.GetServingProfileAsync(new GetServingProfileRequest { Reset = reset }, cancellationToken: ct);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            return null;
        }
    }

    /// <summary>p99 of the first replies and of the rest (all minus the first, as multisets); null when either is empty.</summary>
    internal static (double First, double Later)? FirstAndLaterP99(double[] allSorted, double[] firstSorted)
    {
        var later = new List<double>(allSorted.Length);
        var f = 0;
        foreach (var latency in allSorted)
        {
            if (f < firstSorted.Length && latency == firstSorted[f])
            {
                f++;
                continue;
            }
            later.Add(latency);
        }
        return firstSorted.Length == 0 || later.Count == 0
            ? null
            : (LatencyPercentile.NearestRank(firstSorted, 0.99), LatencyPercentile.NearestRank(later.ToArray(), 0.99));
    }

    /// <summary>
    /// Windows scored per second by <paramref name="clients"/> concurrent Score callers over
    /// <paramref name="duration"/> (after <paramref name="warmup"/> of the same load), the service's CPU time per window when <paramref name="serviceCpu"/>
    /// reads it (NaN otherwise), and the network's own wall time per window from the service's profile (its model stage; NaN when
    /// the service has none). Each call sends the [400, 300] plane when <paramref name="plane"/>, else the [3, 400, 300] input.
    /// </summary>
    public static async Task<ThroughputResult> ScoreThroughputAsync(GrpcChannel channel, int clients, bool plane, TimeSpan warmup, TimeSpan duration, int? maxBatch,
        Func<TimeSpan>? serviceCpu, CancellationToken ct)
    {
        var client = new Inference.InferenceClient(channel);
        var random = new Random(5);
        var values = new float[plane ? ModelInput.PlaneElementCount : ModelInput.ElementCount];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }
        int[] shape = plane ? [ModelInput.FrequencyRows, ModelInput.TimeColumns] : [.. ModelInput.Shape];
        var request = new ScoreRequest { Tensor = Tensor.FromFloats(shape, values) };
        // Warm-up under the same load: ONNX Runtime plans memory on the first run of every batch size
        // (1..MaxBatch, as batches form), which a short timed run would otherwise count.
        await RunCallersAsync(warmup);
        return await MeasureWindowsAsync(client, Contracts.V1.ModelInputKind.Spectrogram, maxBatch, serviceCpu, async () =>
        {
            var clock = Stopwatch.StartNew();
            var scored = await RunCallersAsync(duration);
            return (scored, clock.Elapsed);
        }, ct);

        async Task<long> RunCallersAsync(TimeSpan length)
        {
            long done = 0;
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
            {
                do
                {
                    await client.ScoreAsync(request, cancellationToken: ct);
                    Interlocked.Increment(ref done);
                }
                while (watch.Elapsed < length);
            }));
            return done;
        }
    }

    /// <summary>
    /// The fastest a throughput stream sends, in multiples of real time: under the service's default rate limit
    /// (Hbac:StreamMaxSamplesPerSecond, 500x), far above what one stream gets of a saturated service.
    /// </summary>
    public const int MaxStreamSpeedup = 400;

    /// <summary>
    /// EEG windows scored per second for <paramref name="streams"/> concurrent streams that send as fast as the
    /// service takes their signal (1-s chunks, the signal over and over): the service's stream capacity, the
    /// path whose batching matters, since a stream's window is formed in the service and no 1.44-MB tensor
    /// travels. Counted over <paramref name="duration"/> after <paramref name="warmup"/> (the first 50 s of every
    /// stream and the batch sizes' first runs fall in it), with the service's CPU time per window and the EEG
    /// network's wall time per window from the service's profile, as <see cref="ScoreThroughputAsync"/> does.
    /// Each stream sends at most <see cref="MaxStreamSpeedup"/> x real time.
    /// </summary>
    public static async Task<ThroughputResult> StreamThroughputAsync(EegStreamClient streamClient, float[][] signal, int streams, TimeSpan warmup, TimeSpan duration,
        int? maxBatch, Func<TimeSpan>? serviceCpu, CancellationToken ct)
    {
        var chunks = EegChunks.Split(signal, EegStream.SampleRateHz, SampleLayout.Interleaved).ToArray();
        long replies = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        string? failure = null;
        var senders = Enumerable.Range(0, streams).Select(async _ =>
        {
            try
            {
                await using var stream = streamClient.OpenStream(stop.Token);
                var reader = Task.Run(async () =>
                {
                    await foreach (var _ in stream.ReadAllAsync(stop.Token))
                    {
                        Interlocked.Increment(ref replies);
                    }
                }, stop.Token);
                // Never faster than MaxStreamSpeedup x real time: the service ends a stream over its rate limit.
                var clock = Stopwatch.StartNew();
                long samples = 0;
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var ahead = TimeSpan.FromSeconds(samples / (double)(EegStream.SampleRateHz * MaxStreamSpeedup)) - clock.Elapsed;
                    if (ahead > TimeSpan.Zero)
                    {
                        await Task.Delay(ahead, stop.Token);
                    }
                    var chunk = chunks[i % chunks.Length];
                    await stream.SendAsync(chunk, stop.Token);
                    samples += chunk.Samples.Count / EegStream.ChannelCount;
                }
                await reader;
            }
            catch (Exception e) when (stop.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
            {
            }
            catch (RpcException e)
            {
                // A stream the service ends (overload, rate limit) would make the count meaningless: say why.
                Interlocked.CompareExchange(ref failure, $"{e.StatusCode}: {e.Status.Detail}", null);
                await stop.CancelAsync();
            }
        }).ToArray();
        // A stream that fails cancels the rest: then there is nothing to count.
        await Task.Delay(warmup, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        ct.ThrowIfCancellationRequested();
        var result = await MeasureWindowsAsync(streamClient.Inference, Contracts.V1.ModelInputKind.Eeg, maxBatch, serviceCpu, async () =>
        {
            var before = Interlocked.Read(ref replies);
            var clock = Stopwatch.StartNew();
            await Task.Delay(duration, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            return (Interlocked.Read(ref replies) - before, clock.Elapsed);
        }, ct);
        await stop.CancelAsync();
        await Task.WhenAll(senders);
        if (failure is not null)
        {
            throw new CliUsageException($"bench load: stream throughput: a stream failed ({failure})");
        }
        return result;
    }

    /// <summary>
    /// Runs <paramref name="measured"/> (windows scored, and over how long) with the service's profile reset
    /// before it, and gives windows per second, the service's CPU time per window (NaN when
    /// <paramref name="serviceCpu"/> is null) and the <paramref name="kind"/> network's wall time per window
    /// from the profile's model stage (NaN when the service has no profile).
    /// </summary>
    private static async Task<ThroughputResult> MeasureWindowsAsync(Inference.InferenceClient client, Contracts.V1.ModelInputKind kind, int? maxBatch,
        Func<TimeSpan>? serviceCpu, Func<Task<(long Windows, TimeSpan Elapsed)>> measured, CancellationToken ct)
    {
        var profiled = await ServingProfileAsync(client, reset: true, ct) is not null;
        var cpuBefore = serviceCpu?.Invoke();
        var (windows, elapsed) = await measured();
        var cpuMs = cpuBefore is { } before && serviceCpu is not null ? (serviceCpu() - before).TotalMilliseconds / windows : double.NaN;
        var model = profiled ? (await ServingProfileAsync(client, reset: false, ct))?.Stages
            .SingleOrDefault(s => s.InputKind == kind && s.Stage == "model") : null;
        var modelMs = model is { Windows: > 0 } ? model.WallMs / model.Windows : double.NaN;
        return new ThroughputResult(maxBatch, windows / elapsed.TotalSeconds, cpuMs, modelMs);
    }

    /// <summary>20 channels of deterministic pseudo-EEG (a few rhythms plus noise) at 200 Hz.</summary>
    public static float[][] SyntheticSignal(int seconds)
    {
        var length = seconds * EegStream.SampleRateHz;
        var random = new Random(11);
        return Enumerable.Range(0, EegStream.ChannelCount).Select(c =>
        {
            var channel = new float[length];
            for (var s = 0; s < length; s++)
            {
                var t = s / (double)EegStream.SampleRateHz;
                channel[s] = (float)(40 * Math.Sin(2 * Math.PI * (2 + c % 5) * t) + 15 * Math.Sin(2 * Math.PI * 10 * t + c) + 10 * (random.NextDouble() - 0.5));
            }
            return channel;
        }).ToArray();
    }

    /// <summary>Peak resident memory (VmHWM) of a process, from /proc; null where there is no /proc.</summary>
    public static long? PeakResidentBytes(int pid)
    {
        var path = $"/proc/{pid}/status";
        if (!File.Exists(path))
        {
            return null;
        }
        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    /// <summary>
    /// Resets a process's VmHWM to its current resident size (Linux: "5" to /proc/&lt;pid&gt;/clear_refs,
    /// allowed for our own child), so the next reading is the peak of what happens after; false when not possible.
    /// </summary>
    public static bool ResetPeakResident(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool CompletesWindow(long before, long after)
    {
        for (var end = (long)EegStream.ScoredWindowSamples; end <= after; end += EegStream.ReplyEverySamples)
        {
            if (end > before)
            {
                return true;
            }
        }
        return false;
    }
}
