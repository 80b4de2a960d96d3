using Grpc.Core;
using Grpc.Health.V1;
using Hbac.Contracts;
using Hbac.Contracts.V1;
using HbacAspire.IntegrationTests.Support;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HbacAspire.IntegrationTests;

/// <summary>
/// An app of its own, taken through its whole life in one fixed order: started with an empty model
/// repository, given a model, Redis killed, the inference process killed, then a graceful stop with
/// a stream open. Each step names itself in its assertion messages.
/// </summary>
[Collection(Name)]
public sealed class StackLifecycleTests
{
    public const string Name = "stack lifecycle (kills, own app)";

    /// <summary>The EEG-window version the stack should be streaming with at the current step.</summary>
    private string _served = "";

    [Fact]
    public async Task EmptyRepositoryThenAModelThenRedisAndServiceCrashesThenAGracefulStopLeavesNoProcess()
    {
        var home = Directory.CreateTempSubdirectory("hbac-it-lifecycle-").FullName;
        var data = SyntheticData.Generate(Path.Combine(home, "kaggle"));
        // Restarts wait 3 s (not the default 1 s), so the services' Degraded state during the Redis
        // outage lasts long enough to be seen on a busy machine.
        await using var apphost = await AspireStack.StartAsync(home, data.Folder, "--restart-delay", "3");

        // 1. No model yet: the services come up healthy, scoring is FailedPrecondition.
        await apphost.WaitUntilHealthyAsync();
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
        var inferencePid = apphost.ServicePid("inference")!.Value;

        // 2. Models arrive (atomic rename, no announcement: the repository rescan finds them): "ready", scores.
        ModelFolder.PublishFirst(apphost.ModelRepository);
        _served = ModelFolder.FirstEegVersion;
        await apphost.WaitForReadyAsync(60);
        Assert.Equal(inferencePid, apphost.ServicePid("inference"));
        await StreamsAsync(data, inference, "step 2: after the first model");

        // 3. The Redis server is stopped from Aspire (as from the dashboard): the services report Degraded
        // (and so does the AppHost's health check of inference, which polls a healthy resource every 30 s)
        // and keep answering; the restart policy leaves a stopped resource alone; after Redis is started
        // again they are Healthy on their own. Then Redis crashes (SIGKILL): the restart policy brings it back.
        var inferenceUrl = apphost.Endpoint("inference");
        var preprocessing = new Preprocessing.PreprocessingClient(apphost.Channel("preprocessing"));
        var health = new Health.HealthClient(apphost.Channel("inference"));
        var redisPid = apphost.ServicePid("redis")!.Value;
        // A client streams across the outage (streams never touch the cache).
        await using var acrossOutage = new EegStreamSession(inference, SyntheticData.Looped(data.TestEeg(), 90));
        await acrossOutage.SendAsync(12);
        var stopped = await apphost.CommandAsync("redis", KnownResourceCommands.StopCommand);
        Assert.True(stopped.Success, $"step 3: stopping redis: {stopped.Message}");
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
            if (apphost.Health("inference") == HealthStatus.Degraded)
            {
                sawDegraded.Add("inference in the AppHost");
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
            return sawDegraded.Count == services.Count + 1;
        }, $"step 3: {string.Join(", ", services.Select(s => s.Name))} and the AppHost to report Degraded after Redis was stopped",
            90, () => $"seen Degraded: {string.Join(", ", sawDegraded)}\n{apphost.Diagnostics()}");
        Assert.True(answeredWhileDegraded, "step 3: no request was made while degraded");
        Assert.True(apphost.Restarts("redis") == 0 && apphost.State("redis") is "Exited" or "Finished",
            $"step 3: a stopped Redis was restarted by the restart policy\n{apphost.Diagnostics()}");
        var started = await apphost.CommandAsync("redis", KnownResourceCommands.StartCommand);
        Assert.True(started.Success, $"step 3: starting redis: {started.Message}");
        await acrossOutage.SendAsync(acrossOutage.SecondsAvailable - acrossOutage.SecondsSent);
        await acrossOutage.CompleteAsync();
        Assert.Equal(21, acrossOutage.Replies.Count); // windows ending at 50, 52, ..., 90 s
        await Wait.UntilAsync(() => apphost.Health("redis") == HealthStatus.Healthy && apphost.ServicePid("redis") is { } pid && pid != redisPid,
            "step 3: Redis to run again after its start command", 30, apphost.Diagnostics);
        redisPid = apphost.ServicePid("redis")!.Value;
        System.Diagnostics.Process.GetProcessById(redisPid).Kill();
        await Wait.UntilAsync(() => apphost.Restarts("redis") == 1 && apphost.Health("redis") == HealthStatus.Healthy
                && apphost.ServicePid("redis") is { } pid && pid != redisPid,
            "step 3: the restart policy to restart the killed Redis server", 30, apphost.Diagnostics);
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
        ModelFolder.PublishValid(apphost.ModelRepository, second, eeg: true);
        var redisPort = new Uri(apphost.Endpoint("redis")).Port;
        Assert.EndsWith($":{redisPort}", await apphost.ConnectionStringAsync("redis"));
        await Wait.UntilAsync(async () => await ModelFolder.AnnounceAsync(redisPort, second) >= 1,
            "step 3: a subscriber to hbac:models:published after the Redis restart", 30, apphost.Diagnostics);
        await Wait.UntilAsync(async () => (await inference.ListModelsAsync(new ListModelsRequest())).ActiveEegVersion == second,
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
        await Wait.UntilAsync(() => apphost.Restarts("inference") == 1 && apphost.Health("inference") == HealthStatus.Healthy
                && apphost.ServicePid("inference") is { } pid && pid != inferencePid,
            "step 4: the AppHost to restart the killed inference service", 120, apphost.Diagnostics);
        Assert.Equal(inferenceUrl, apphost.Endpoint("inference"));
        using (var fresh = apphost.NewChannel("inference"))
        {
            var again = new Inference.InferenceClient(fresh);
            await Wait.UntilAsync(async () => (await again.ListModelsAsync(new ListModelsRequest())).ActiveEegVersion == _served,
                "step 4: the restarted inference to serve the model", 30, apphost.Diagnostics);
            await StreamsAsync(data, again, "step 4: after the inference restart (new connection)");
        }
        await StreamsAsync(data, inference, "step 4: after the inference restart (the old channel reconnects)");

        // 5. A graceful stop with a stream open: the services end it themselves, and no process of the stack is left.
        var pids = new[] { "redis", "preprocessing", "training", "inference" }
            .SelectMany(name => apphost.Pid(name) is { } pid ? Processes.Descendants(pid).Prepend(pid).Select(p => (Pid: p, Name: name)) : [])
            .ToList();
        Assert.True(pids.Select(p => p.Name).Distinct().Count() == 4, $"step 5: a resource without a process\n{apphost.Diagnostics()}");
        var open = new EegStreamSession(inference, data.TestEeg());
        await open.SendAsync(12);
        var stopSeconds = (await apphost.StopAsync()).TotalSeconds;
        var ended = await open.RefusedAsync();
        await open.DisposeAsync();
        // The service ends open streams itself (retryable Unavailable) instead of being SIGKILLed after the
        // AppHost's 10-s grace period. The client usually reads that status; about one run in five its
        // HTTP/2 connection is closed (GOAWAY, NO_ERROR) before the status frame is read, which the client
        // reports as Internal "server closed the connection". Either way the stop was graceful and quick.
        Assert.True(ended.StatusCode == StatusCode.Unavailable
                    || (ended.StatusCode == StatusCode.Internal && ended.Status.Detail.Contains("server closed the connection", StringComparison.Ordinal)),
            $"step 5: the open stream ended with {ended.StatusCode}: {ended.Status.Detail}");
        Assert.True(stopSeconds < 15, $"step 5: stopping took {stopSeconds:0.0} s: a service had to be killed");
        await Wait.UntilAsync(() => pids.All(p => !Processes.IsAlive(p.Pid)),
            "step 5: every process of the stack to end", 20,
            () => string.Join(", ", pids.Where(p => Processes.IsAlive(p.Pid)).Select(p => $"{p.Pid} ({p.Name}: {Processes.CommandLine(p.Pid)})")));
    }

    private async Task StreamsAsync(SyntheticData data, Inference.InferenceClient client, string step)
    {
        await using var session = new EegStreamSession(client, SyntheticData.Looped(data.TestEeg(), 54));
        await session.SendAsync(54);
        await session.CompleteAsync();
        Assert.True(session.Replies.Select(r => r.WindowEndSeconds).SequenceEqual([50.0, 52.0, 54.0]), $"{step}: replies at {string.Join(", ", session.Replies.Select(r => r.WindowEndSeconds))}");
        Assert.True(session.Replies.Select(r => (r.SegmentStartSeconds, r.SegmentEndSeconds)).SequenceEqual([(20.0, 30.0), (22.0, 32.0), (24.0, 34.0)]),
            $"{step}: segments {string.Join(", ", session.Replies.Select(r => $"{r.SegmentStartSeconds}-{r.SegmentEndSeconds}"))}");
        Assert.All(session.Replies, r => Assert.True(r.ModelVersion == _served, $"{step}: model {r.ModelVersion}, expected {_served}"));
    }
}
