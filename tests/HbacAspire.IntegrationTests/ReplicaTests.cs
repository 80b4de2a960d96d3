using Grpc.Core;
using Hbac.Contracts;
using Hbac.Contracts.Streaming;
using Hbac.Contracts.V1;
using Hbac.Client;
using Xunit.Abstractions;
using Hbac.Client.Streaming;
using HbacAspire.AppHost.Replicas;
using HbacAspire.IntegrationTests.Support;

namespace HbacAspire.IntegrationTests;

/// <summary>
/// <c>--inference-replicas 3</c>: three inference processes behind DCP's proxy on one address. Streams on
/// their own connections spread over them; a published or activated model reaches each one, asked at
/// its own address behind the proxy.
/// </summary>
[Collection(StackLifecycleTests.Name)]
public sealed class ReplicaTests(ReplicaTests.ThreeReplicas stack, ITestOutputHelper output) : IClassFixture<ReplicaTests.ThreeReplicas>
{
    private const int Replicas = 3;

    /// <summary>
    /// One app with three inference replicas for the class. Its restart delay is the longest there is (30 s),
    /// so that after every replica was killed there is a while with none alive.
    /// </summary>
    public sealed class ThreeReplicas() : StackFixture("hbac-it-replicas-", "--inference-replicas", $"{Replicas}", "--restart-delay", "30");

    [Fact]
    public async Task StreamsSpreadOverThreeReplicasAndEveryReplicaServesWhatIsPublishedOrActivated()
    {
        var apphost = stack.AppHost;
        var data = stack.Data;
        var models = apphost.ModelRepository;
        var replicas = await RunningReplicasAsync(apphost);
        var before = await EegWindowsPerReplicaAsync(apphost, replicas);

        // 30 streams, each on its own channel (its own TCP connection: the proxy balances per connection).
        var signal = SyntheticData.Repeat(data.TestEeg(), 2);
        var streams = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => StreamAsync(apphost, signal, seconds: 56)));
        foreach (var replies in streams)
        {
            // 50, 52, 54, 56: every reply, in order.
            Assert.Equal([50.0, 52, 54, 56], replies.Select(r => r.WindowEndSeconds));
        }
        var after = await EegWindowsPerReplicaAsync(apphost, replicas);
        var windowsPerReplica = after.Zip(before, (a, b) => a - b).ToList();
        Assert.Equal(30 * 4, windowsPerReplica.Sum());
        Assert.True(windowsPerReplica.Count(w => w > 0) >= 2, $"30 streams reached one replica only: windows per replica {string.Join(", ", windowsPerReplica)}");

        // Published: a newer EEG model, announced as the trainer does, reaches every replica.
        var published = ModelFolder.NewVersion("replicas");
        ModelFolder.PublishValid(models, published, favouredClass: 5, eeg: true);
        await ModelFolder.AnnounceAsync(new Uri(apphost.Endpoint("redis")).Port, published);
        await EveryReplicaServesAsync(apphost, replicas, published);

        // Activated through the one address (so on one replica): the older model, on every replica.
        await new Inference.InferenceClient(apphost.Channel("inference")).ActivateModelAsync(
            new ActivateModelRequest { Version = ModelFolder.FirstEegVersion }, deadline: DateTime.UtcNow.AddSeconds(30));
        await EveryReplicaServesAsync(apphost, replicas, ModelFolder.FirstEegVersion);
    }

    [Fact]
    public async Task StreamsOnAKilledReplicaResumeOnASurvivorAndWithNoReplicaAliveTheClientFailsWithinItsDeadline()
    {
        var apphost = stack.AppHost;
        var replicas = await RunningReplicasAsync(apphost);
        var before = await EegWindowsPerReplicaAsync(apphost, replicas);
        using var client = new EegStreamClient(new EegStreamClientOptions { Address = new Uri(apphost.Endpoint("inference")), ApiKey = apphost.ApiKey });
        var chunks = EegChunks.Split(SyntheticData.Looped(stack.Data.TestEeg(), 120), EegStream.SampleRateHz, SampleLayout.Interleaved).ToList();

        // 9 streams, each on its own connection; 60 s in at once, then 2 s every 0.2 s (10x real time).
        var streams = Enumerable.Range(0, 9).Select(_ => new ClientStream(client.OpenStream())).ToList();
        await Task.WhenAll(streams.Select(s => s.SendAsync(chunks[..60])));
        await Wait.UntilAsync(() => streams.All(s => s.Replies.Count >= 6), "every stream's first 6 replies", 60, apphost.Diagnostics);

        // The replica carrying the most of them dies (SIGKILL: a crash).
        var carried = (await EegWindowsPerReplicaAsync(apphost, replicas)).Zip(before, (a, b) => a - b).ToList();
        var victim = replicas[carried.IndexOf(carried.Max())];
        var pid = apphost.ReplicaServicePid(victim) ?? throw new InvalidOperationException($"no process for {victim}");
        System.Diagnostics.Process.GetProcessById(pid).Kill();
        for (var second = 60; second < 120; second += 2)
        {
            await Task.WhenAll(streams.Select(s => s.SendAsync(chunks[second..(second + 2)])));
            await Task.Delay(200);
        }
        await Task.WhenAll(streams.Select(s => s.CompleteAsync()));

        var resumed = streams.Where(s => s.Stream.Resumes > 0).ToList();
        Assert.True(resumed.Count >= 3, $"{resumed.Count} streams resumed; the killed replica carried {carried.Max()} windows of {carried.Sum()}");
        foreach (var s in streams)
        {
            var ends = s.Replies.Select(r => r.WindowEndSeconds).ToList();
            Assert.Equal(ends.Order(), ends);
            Assert.Equal(ends.Distinct(), ends);
            Assert.Equal(120.0, ends[^1]);
            // Every reply keeps the stream's clock; a gap of more than one 2-s step is a lost reply, counted by the client.
            var missing = ends.Zip(ends.Skip(1), (a, b) => (int)Math.Round((b - a) / 2) - 1).Sum();
            Assert.Equal(s.Stream.RepliesLost, missing);
            Assert.All(s.Replies, r => Assert.Equal(r.WindowEndSeconds - 30, r.SegmentStartSeconds, 6));
        }
        output.WriteLine($"killed replica {victim} (pid {pid}) carrying {carried.Max()} of {carried.Sum()} windows; {resumed.Count} of {streams.Count} streams resumed " +
            $"({string.Join(", ", resumed.Select(s => $"{s.Stream.Resumes} reconnect(s), {s.Stream.RepliesLost} lost, {s.Stream.DuplicatesDropped} duplicates dropped"))})");
        // A stream in real time holds at most a reply or two in flight; here at 10x, fewer than the 60 s the client keeps.
        Assert.All(streams, s => Assert.Equal(0, s.Stream.RepliesLost));

        // No replica alive (the restart policy waits 30 s): a new stream fails with Unavailable within its deadline.
        foreach (var id in replicas)
        {
            if (apphost.ReplicaServicePid(id) is { } alive && Processes.IsAlive(alive))
            {
                System.Diagnostics.Process.GetProcessById(alive).Kill();
            }
        }
        using var hopeless = new EegStreamClient(new EegStreamClientOptions
        {
            Address = new Uri(apphost.Endpoint("inference")), ApiKey = apphost.ApiKey,
            ResumeDeadline = TimeSpan.FromSeconds(10), ReplyTimeout = TimeSpan.FromSeconds(5),
        });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await using var stream = hopeless.OpenStream();
            foreach (var chunk in chunks[..52])
            {
                await stream.SendAsync(chunk);
            }
            await foreach (var _ in stream.ReadAllAsync())
            {
            }
        });
        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the client took {clock.Elapsed.TotalSeconds:F1} s to give up");
        output.WriteLine($"no replica alive: Unavailable after {clock.Elapsed.TotalSeconds:F1} s ({failure.Status.Detail})");
        clock.Restart();

        // The restart policy brings every replica back, each on its own.
        await Wait.UntilAsync(() => replicas.All(id => apphost.ReplicaRestarts(id) >= 1 && apphost.ReplicaState(id) == "Running"),
            "every killed replica restarted", 150, apphost.Diagnostics);
        output.WriteLine($"every replica restarted {clock.Elapsed.TotalSeconds:F1} s later");
    }

    /// <summary>One resilient stream and the replies read from it.</summary>
    private sealed class ClientStream
    {
        private readonly Task _reader;

        public ClientStream(ResilientEegStream stream)
        {
            Stream = stream;
            _reader = Task.Run(async () =>
            {
                await foreach (var reply in stream.ReadAllAsync())
                {
                    lock (Replies)
                    {
                        Replies.Add(reply);
                    }
                }
            });
        }

        public ResilientEegStream Stream { get; }

        public List<StreamEegResponse> Replies { get; } = [];

        public async Task SendAsync(IEnumerable<EegChunk> chunks)
        {
            foreach (var chunk in chunks)
            {
                await Stream.SendAsync(chunk);
            }
        }

        public async Task CompleteAsync()
        {
            await Stream.CompleteAsync();
            await _reader.WaitAsync(TimeSpan.FromSeconds(60));
            await Stream.DisposeAsync();
        }
    }

    /// <summary>EEG windows each replica has scored since it started, asked at its own address.</summary>
    private static async Task<List<long>> EegWindowsPerReplicaAsync(AspireStack apphost, IReadOnlyList<string> replicas)
    {
        var windows = new List<long>();
        foreach (var id in replicas)
        {
            using var channel = Hbac.Contracts.Security.ApiKeyChannel.ForAddress(apphost.ReplicaEndpoint(id), apphost.ApiKey);
            var profile = await new Inference.InferenceClient(channel).GetServingProfileAsync(new GetServingProfileRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            windows.Add(profile.WindowsScored(ModelInputKind.Eeg));
        }
        return windows;
    }

    /// <summary>The replicas' resource ids once all of them run and each one, asked at its own address, serves an EEG model.</summary>
    private static async Task<IReadOnlyList<string>> RunningReplicasAsync(AspireStack apphost)
    {
        IReadOnlyList<string> running = [];
        await Wait.UntilAsync(async () =>
        {
            running = apphost.Replicas("inference")
                .Where(r => r.Snapshot.State?.Text == "Running" && r.Snapshot.OwnUrl() is not null)
                .Select(r => r.Id).ToList();
            if (running.Count != Replicas)
            {
                return false;
            }
            foreach (var id in running)
            {
                if (await ServedEegVersionAsync(apphost, id) is not { Length: > 0 })
                {
                    return false;
                }
            }
            return true;
        }, $"{Replicas} inference replicas running and serving", 150, apphost.Diagnostics);
        return running;
    }

    /// <summary>The EEG model one replica serves, asked at its own address; null when it does not answer.</summary>
    private static async Task<string?> ServedEegVersionAsync(AspireStack apphost, string id)
    {
        try
        {
            using var channel = Hbac.Contracts.Security.ApiKeyChannel.ForAddress(apphost.ReplicaEndpoint(id), apphost.ApiKey);
            return (await new Inference.InferenceClient(channel).ListModelsAsync(new ListModelsRequest(), deadline: DateTime.UtcNow.AddSeconds(10))).ActiveEegVersion;
        }
        catch (RpcException)
        {
            return null;
        }
    }

    private static async Task EveryReplicaServesAsync(AspireStack apphost, IReadOnlyList<string> replicas, string eegVersion)
    {
        foreach (var id in replicas)
        {
            string? seen = null;
            await Wait.UntilAsync(async () => (seen = await ServedEegVersionAsync(apphost, id)) == eegVersion,
                $"replica {id} to serve {eegVersion}", 30, () => $"it serves {seen ?? "nothing (no answer)"}\n{apphost.Diagnostics()}");
        }
    }

    private static async Task<List<StreamEegResponse>> StreamAsync(AspireStack apphost, float[][] signal, int seconds)
    {
        using var channel = apphost.NewChannel("inference");
        using var call = new Inference.InferenceClient(channel).StreamEeg(deadline: DateTime.UtcNow.AddSeconds(120));
        foreach (var chunk in EegChunks.Split(signal, EegStream.SampleRateHz, SampleLayout.Interleaved).Take(seconds))
        {
            await call.RequestStream.WriteAsync(new StreamEegRequest { Chunk = chunk });
        }
        await call.RequestStream.CompleteAsync();
        var replies = new List<StreamEegResponse>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync())
        {
            replies.Add(reply);
        }
        return replies;
    }
}
