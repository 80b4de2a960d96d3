using System.Text.Json;
using Grpc.Core;
using Grpc.Health.V1;
using Hbac.Contracts;
using Hbac.Contracts.V1;
using HbacAspire.AppHost.Supervision;
using HbacAspire.EndToEnd.Tests.Support;

namespace HbacAspire.EndToEnd.Tests;

/// <summary>
/// A stack of its own, taken through its whole life in one fixed order: started with an empty model
/// repository, given a model, Redis killed, the inference process killed, then SIGTERM. Each step
/// names itself in its assertion messages.
/// </summary>
[Collection(Name)]
public sealed class StackLifecycleTests
{
    public const string Name = "stack lifecycle (kills, own stack)";

    /// <summary>The version the stack should be serving at the current step.</summary>
    private string _served = "";

    [StackFact]
    public async Task EmptyRepositoryThenAModelThenRedisAndServiceCrashesThenSigtermLeavesNoProcess()
    {
        var home = Directory.CreateTempSubdirectory("hbac-e2e-lifecycle-").FullName;
        var data = SyntheticData.Generate(Path.Combine(home, "kaggle"));
        // Restarts wait 3 s (not the default 1 s), so the services' Degraded state during the Redis
        // outage lasts long enough to be seen on a busy machine.
        await using var apphost = AppHostProcess.Start(home, data.Folder, "--restart-delay", "3");

        // 1. No model yet: the services come up, "ready" waits, scoring is FailedPrecondition.
        await apphost.WaitForEndpointsAsync();
        await Wait.UntilAsync(async () => (await apphost.ResourcesAsync()).TryGetValue("inference", out var r)
                && r.GetProperty("health").GetString() is "Healthy" or "Degraded",
            "step 1: inference healthy with an empty repository", 180, apphost.Diagnostics, () => apphost.HasExited);
        Assert.False(apphost.IsReady, "step 1: 'ready' was printed although no model is served");
        var inference = new Inference.InferenceClient(apphost.Channel("inference"));
        Assert.Equal("", (await inference.ListModelsAsync(new ListModelsRequest())).ActiveVersion);
        var noModel = await Assert.ThrowsAsync<RpcException>(() =>
            inference.ScoreAsync(new ScoreRequest { Tensor = Tensor.FromFloats([3, 400, 300], new float[ModelInput.ElementCount]) }).ResponseAsync);
        Assert.True(noModel.StatusCode == StatusCode.FailedPrecondition, $"step 1: Score without a model gave {noModel.StatusCode}: {noModel.Status.Detail}");
        await using (var refusedStream = new EegStreamSession(inference))
        {
            var chunks = Hbac.Contracts.Streaming.EegChunks.Split(data.TestEeg(), EegStream.SampleRateHz, SampleLayout.Interleaved).Take(10).ToArray();
            var streamRefused = await refusedStream.RefusedAsync(chunks);
            Assert.True(streamRefused.StatusCode == StatusCode.FailedPrecondition,
                $"step 1: StreamEeg without a model gave {streamRefused.StatusCode}: {streamRefused.Status.Detail}\n{apphost.Diagnostics()}");
        }
        var inferencePid = await apphost.PidAsync("inference");

        // 2. A model arrives (atomic rename, no announcement: the repository rescan finds it): "ready", scores.
        ModelFolder.PublishValid(apphost.ModelRepository, ModelFolder.FirstVersion);
        _served = ModelFolder.FirstVersion;
        await apphost.WaitForReadyAsync(60);
        Assert.Equal(inferencePid, await apphost.PidAsync("inference"));
        await StreamsAsync(data, inference, "step 2: after the first model");

        // 3. redis-server is killed: the services report Degraded and keep answering; after the AppHost
        // restarts Redis they are Healthy again on their own.
        var inferenceUrl = apphost.Endpoint("inference");
        var preprocessing = new Preprocessing.PreprocessingClient(apphost.Channel("preprocessing"));
        var health = new Health.HealthClient(apphost.Channel("inference"));
        var redisPid = await apphost.PidAsync("redis");
        // A client streams across the outage (streams never touch the cache).
        await using var acrossOutage = new EegStreamSession(inference, data.TestEeg());
        await acrossOutage.SendAsync(12);
        System.Diagnostics.Process.GetProcessById(redisPid).Kill();
        var services = new[] { "preprocessing", "inference", "training" }.Select(name => (Name: name, Url: apphost.Endpoint(name))).ToList();
        var sawDegraded = new HashSet<string>();
        var answeredWhileDegraded = false;
        await Wait.UntilAsync(async () =>
        {
            foreach (var (name, url) in services)
            {
                var (status, body) = await ServiceHealth.GetAsync(url);
                if (status == "Degraded")
                {
                    Assert.Contains("redis unreachable", body);
                    sawDegraded.Add(name);
                }
            }
            if (sawDegraded.Count > 0 && !answeredWhileDegraded)
            {
                // Degraded, not down: both services still answer, without the cache.
                var converted = await preprocessing.ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Path = data.SpectrogramPath() });
                Assert.False(converted.CacheHit, "step 3: a cache hit while Redis is down");
                Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
                Assert.Equal(ModelFolder.FirstVersion, (await inference.ListModelsAsync(new ListModelsRequest())).ActiveVersion);
                answeredWhileDegraded = true;
            }
            return sawDegraded.Count == services.Count;
        }, $"step 3: {string.Join(", ", services.Select(s => s.Name))} to report Degraded after redis-server was killed",
            30, () => $"seen Degraded: {string.Join(", ", sawDegraded)}\n{apphost.Diagnostics()}");
        Assert.True(answeredWhileDegraded, "step 3: no request was made while degraded");
        await acrossOutage.SendAsync(acrossOutage.SecondsAvailable - acrossOutage.SecondsSent);
        await acrossOutage.CompleteAsync();
        Assert.Equal(21, acrossOutage.Replies.Count);
        await Wait.UntilAsync(async () =>
        {
            var redis = await apphost.ResourceAsync("redis");
            return redis.GetProperty("restarts").GetInt32() == 1 && redis.GetProperty("health").GetString() == "Healthy";
        }, "step 3: the AppHost to restart redis-server", 30, apphost.Diagnostics);
        Assert.NotEqual(redisPid, await apphost.PidAsync("redis"));
        await Wait.UntilAsync(async () =>
            {
                foreach (var (_, url) in services)
                {
                    if ((await ServiceHealth.GetAsync(url)).Status != "Healthy")
                    {
                        return false;
                    }
                }
                return true;
            },
            "step 3: every service Healthy again after Redis came back", 60, apphost.Diagnostics);
        await StreamsAsync(data, inference, "step 3: after the Redis restart");
        // The cache works again: the second conversion is a hit.
        await preprocessing.ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Path = data.SpectrogramPath() });
        Assert.True((await preprocessing.ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Path = data.SpectrogramPath() })).CacheHit,
            "step 3: no cache hit after Redis came back");
        // Inference's subscription to model announcements came back with Redis: a new version is announced to it.
        var second = ModelFolder.NewVersion("after-redis");
        ModelFolder.PublishValid(apphost.ModelRepository, second);
        var redisPort = new Uri(apphost.Endpoint("redis")).Port;
        await Wait.UntilAsync(async () => await ModelFolder.AnnounceAsync(redisPort, second) >= 1,
            "step 3: a subscriber to hbac:models:published after the Redis restart", 30, apphost.Diagnostics);
        await Wait.UntilAsync(async () => (await inference.ListModelsAsync(new ListModelsRequest())).ActiveVersion == second,
            $"step 3: inference to serve {second}", 30, apphost.Diagnostics);
        _served = second;

        // 4. The inference process is killed: the AppHost restarts it on the same endpoint, and it serves the same model.
        // A client streaming at that moment sees a retryable status.
        var cutOff = new EegStreamSession(inference, data.TestEeg());
        await cutOff.SendAsync(10);
        System.Diagnostics.Process.GetProcessById(inferencePid).Kill();
        var broken = await cutOff.RefusedAsync();
        await cutOff.DisposeAsync();
        Assert.True(broken.StatusCode == StatusCode.Unavailable, $"step 4: a stream cut by the crash ended with {broken.StatusCode}: {broken.Status.Detail}");
        JsonElement restarted = default;
        await Wait.UntilAsync(async () =>
        {
            restarted = await apphost.ResourceAsync("inference");
            return restarted.GetProperty("restarts").GetInt32() == 1 && restarted.GetProperty("health").GetString() == "Healthy"
                && restarted.GetProperty("pid").ValueKind == JsonValueKind.Number;
        }, "step 4: the AppHost to restart the killed inference service", 120, apphost.Diagnostics);
        Assert.NotEqual(inferencePid, restarted.GetProperty("pid").GetInt32());
        Assert.Equal(inferenceUrl, restarted.GetProperty("endpoints")[0].GetProperty("url").GetString());
        using (var fresh = apphost.NewChannel("inference"))
        {
            var again = new Inference.InferenceClient(fresh);
            await Wait.UntilAsync(async () => (await again.ListModelsAsync(new ListModelsRequest())).ActiveVersion == _served,
                "step 4: the restarted inference to serve the model", 30, apphost.Diagnostics);
            await StreamsAsync(data, again, "step 4: after the inference restart (new connection)");
        }
        await StreamsAsync(data, inference, "step 4: after the inference restart (the old channel reconnects)");

        // 5. SIGTERM: exit code 0 within 30 s, and no process of the stack left.
        var resources = await apphost.ResourcesAsync();
        Assert.True(resources.Count >= 3, $"step 5: expected redis, preprocessing and inference, the dashboard lists {string.Join(", ", resources.Keys)}");
        var pids = apphost.ChildrenSeen.Keys.ToList();
        // A client is in the middle of a stream when the stack stops.
        var open = new EegStreamSession(inference, data.TestEeg());
        await open.SendAsync(12);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.True(apphost.Terminate(TimeSpan.FromSeconds(30)), "step 5: the AppHost did not exit within 30 s of SIGTERM");
        var stopSeconds = clock.Elapsed.TotalSeconds;
        var ended = await open.RefusedAsync();
        await open.DisposeAsync();
        // The service ends open streams itself (retryable Unavailable) instead of being SIGKILLed after the
        // AppHost's 10-s grace period. The client usually reads that status; about one run in five its
        // HTTP/2 connection is closed (GOAWAY, NO_ERROR) before the status frame is read, which the client
        // reports as Internal "server closed the connection". Either way the stop was graceful and quick.
        Assert.True(ended.StatusCode == StatusCode.Unavailable
                    || (ended.StatusCode == StatusCode.Internal && ended.Status.Detail.Contains("server closed the connection", StringComparison.Ordinal)),
            $"step 5: the open stream ended with {ended.StatusCode}: {ended.Status.Detail}");
        Assert.True(stopSeconds < 10, $"step 5: stopping took {stopSeconds:0.0} s, the AppHost's grace period: a service had to be killed");
        Assert.True(apphost.ExitCode == 0, $"step 5: exit code {apphost.ExitCode}\n{apphost.Diagnostics()}");
        foreach (var pid in pids.Append(apphost.Pid))
        {
            Assert.False(IsAlive(pid), $"step 5: pid {pid} ({apphost.ChildrenSeen.GetValueOrDefault(pid, "AppHost")}) survived the AppHost");
            Assert.Empty(ProcessGroup.Members(pid));
        }
        Assert.Contains("stopped", apphost.Diagnostics());
    }

    private async Task StreamsAsync(SyntheticData data, Inference.InferenceClient client, string step)
    {
        await using var session = new EegStreamSession(client, data.TestEeg().Select(c => c[..(14 * EegStream.SampleRateHz)]).ToArray());
        await session.SendAsync(14);
        await session.CompleteAsync();
        Assert.True(session.Replies.Select(r => r.WindowEndSeconds).SequenceEqual([10.0, 12.0, 14.0]), $"{step}: replies at {string.Join(", ", session.Replies.Select(r => r.WindowEndSeconds))}");
        Assert.All(session.Replies, r => Assert.True(r.ModelVersion == _served, $"{step}: model {r.ModelVersion}, expected {_served}"));
    }

    /// <summary>True while the process exists and is not a zombie.</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
