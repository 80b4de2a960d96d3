using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Grpc.Net.Client;
using Hbac.Contracts;
using Hbac.Contracts.Streaming;
using Hbac.Contracts.V1;
using Hbac.Eeg.Formats;
using HbacAspire.AppHost.Supervision;
using static HbacAspire.AppHost.Tests.TestSupport;

namespace HbacAspire.AppHost.Tests;

/// <summary>The built AppHost run as a real process, the way a user or script runs it.</summary>
public class AppHostProcessTests
{
    private static readonly string AppHostDll = Path.Combine(AppContext.BaseDirectory, "HbacAspire.AppHost.dll");

    [RedisFact]
    public async Task RunsRedisRestartsItAfterACrashAndLeavesNothingBehindOnSigterm()
    {
        var home = TempDirectory();
        using var apphost = Start(home, "--only", "redis");
        var lines = Collect(apphost, out var errors);
        try
        {
            await Eventually(() => lines.Contains("ready"), "the ready line", 60, () => Output(lines, errors));
            var dashboard = lines.Single(l => l.StartsWith("endpoint dashboard ", StringComparison.Ordinal)).Split(' ')[2];
            var redisUrl = new Uri(lines.Single(l => l.StartsWith("endpoint redis ", StringComparison.Ordinal)).Split(' ')[2]);
            Assert.Equal("redis", redisUrl.Scheme);
            Assert.True(await Hbac.Tests.RedisTestServer.PingAsync(redisUrl.Port));
            using var http = new HttpClient();
            var first = await RedisResource(http, dashboard);
            var firstPid = first.GetProperty("pid").GetInt32();
            Assert.Equal("Healthy", first.GetProperty("health").GetString());

            // A crash (SIGKILL) is noticed and redis comes back, healthy, with a new PID.
            Process.GetProcessById(firstPid).Kill();
            JsonElement restarted = default;
            await EventuallyAsync(async () =>
            {
                restarted = await RedisResource(http, dashboard);
                return restarted.GetProperty("restarts").GetInt32() == 1 && restarted.GetProperty("health").GetString() == "Healthy";
            }, "redis restarted by the AppHost");
            var secondPid = restarted.GetProperty("pid").GetInt32();
            Assert.NotEqual(firstPid, secondPid);
            Assert.True(await Hbac.Tests.RedisTestServer.PingAsync(redisUrl.Port));

            Signal(apphost.Id, "TERM");
            Assert.True(apphost.WaitForExit(TimeSpan.FromSeconds(30)), "the AppHost did not exit within 30 s of SIGTERM");
            Assert.Equal(0, apphost.ExitCode);
            Assert.False(IsAlive(secondPid), "redis-server survived the AppHost");
            Assert.Empty(ProcessGroup.Members(secondPid));
            Assert.Contains("Ready to accept connections", await File.ReadAllTextAsync(Path.Combine(home, "logs", "redis.log")));
            Assert.True(Directory.Exists(Path.Combine(home, "redis", "appendonlydir")), "redis persistence is not under --home");
        }
        finally
        {
            if (!apphost.HasExited)
            {
                apphost.Kill(entireProcessTree: true);
            }
        }
    }

    [RedisFact]
    public async Task ChildrenOfAKilledAppHostAreCleanedUpByTheNextStart()
    {
        var home = TempDirectory();
        int orphan;
        int redisPort;
        using (var first = Start(home, "--only", "redis"))
        {
            var lines = Collect(first, out var firstErrors);
            await Eventually(() => lines.Contains("ready"), "the first AppHost to be ready", 60, () => Output(lines, firstErrors));
            redisPort = new Uri(lines.Single(l => l.StartsWith("endpoint redis ", StringComparison.Ordinal)).Split(' ')[2]).Port;
            var dashboard = lines.Single(l => l.StartsWith("endpoint dashboard ", StringComparison.Ordinal)).Split(' ')[2];
            using var http = new HttpClient();
            orphan = (await RedisResource(http, dashboard)).GetProperty("pid").GetInt32();
            first.Kill(); // SIGKILL: no chance to stop its children
            await first.WaitForExitAsync();
        }
        Assert.True(IsAlive(orphan), "redis should outlive a SIGKILLed AppHost (it runs in its own process group)");

        using var second = Start(home, "--only", "redis", "--redis-port", redisPort.ToString());
        var secondLines = Collect(second, out var errors);
        try
        {
            await Eventually(() => secondLines.Contains("ready"), "the second AppHost to be ready on the same port", 60, () => Output(secondLines, errors));
            Assert.False(IsAlive(orphan), "the leftover redis-server was not killed");
            Assert.Contains(errors, line => line.Contains($"killed redis (pid {orphan}, 1 process(es)) left running by a previous AppHost"));
            Signal(second.Id, "TERM");
            Assert.True(second.WaitForExit(TimeSpan.FromSeconds(30)));
            Assert.Equal(0, second.ExitCode);
        }
        finally
        {
            if (!second.HasExited)
            {
                second.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>
    /// The README's main command as a test: with no data, the AppHost generates the synthetic dataset,
    /// prepares it, trains the quick profile through the training service, and prints <c>ready</c>
    /// once inference serves that model; streamed EEG is then scored by it.
    /// </summary>
    [RedisFact]
    public async Task TheDefaultJobTrainsTheQuickModelAndStreamedEegIsScoredByIt()
    {
        var home = TempDirectory();
        using var apphost = Start(home);
        var lines = Collect(apphost, out var errors);
        try
        {
            await Eventually(() => lines.Contains("ready"), "the default job's model to be served", 900, () => Output(lines, errors));
            var inferenceUrl = lines.Single(l => l.StartsWith("endpoint inference ", StringComparison.Ordinal)).Split(' ')[2];
            var dashboard = lines.Single(l => l.StartsWith("endpoint dashboard ", StringComparison.Ordinal)).Split(' ')[2];
            Assert.Contains(errors, l => l.Contains("job: generated ", StringComparison.Ordinal));
            Assert.Contains(errors, l => l.Contains("job: prepared: ", StringComparison.Ordinal));

            using var channel = GrpcChannel.ForAddress(inferenceUrl);
            var client = new Inference.InferenceClient(channel);
            var models = await client.ListModelsAsync(new ListModelsRequest());
            var served = Assert.Single(models.Models);
            Assert.True(served.Valid);
            Assert.Equal(served.Version, models.ActiveVersion);
            Assert.False(string.IsNullOrEmpty(served.TrainingRunId), "the served model does not name its training run");
            Assert.True(File.Exists(Path.Combine(home, "models", served.Version, "model.onnx")));
            Assert.Equal([served.Version], Directory.GetDirectories(Path.Combine(home, "models")).Select(Path.GetFileName));

            // A test EEG of the generated data (50 s or more): a reply per 2 s once 10 s are in, all from the trained model.
            var eeg = Directory.GetFiles(Path.Combine(home, "data", "synthetic", "test_eegs"), "*.parquet").Order(StringComparer.Ordinal).First();
            var replies = await StreamRecordingAsync(client, eeg);
            Assert.NotEmpty(replies);
            for (var i = 0; i < replies.Count; i++)
            {
                Assert.Equal(10 + 2 * i, replies[i].WindowEndSeconds);
                Assert.Equal(served.Version, replies[i].ModelVersion);
                var p = new[] { replies[i].Probabilities.Seizure, replies[i].Probabilities.Lpd, replies[i].Probabilities.Gpd,
                    replies[i].Probabilities.Lrda, replies[i].Probabilities.Grda, replies[i].Probabilities.Other };
                Assert.All(p, v => Assert.True(float.IsFinite(v) && v >= 0, $"probability {v}"));
                Assert.InRange(p.Sum(), 1 - 1e-4, 1 + 1e-4);
            }
            // The trained model discriminates: its replies are not all the same distribution.
            Assert.True(replies.Select(r => r.Probabilities.Other).Distinct().Count() > 1, "every window got the same probabilities");

            using var http = new HttpClient();
            using var state = JsonDocument.Parse(await http.GetStringAsync(dashboard + "/api/state"));
            Assert.StartsWith("done: inference serves model " + served.Version, state.RootElement.GetProperty("appHost").GetProperty("job").GetString());
            var run = Assert.Single(state.RootElement.GetProperty("training").GetProperty("runs").EnumerateArray());
            Assert.Equal("succeeded", run.GetProperty("state").GetString());

            Signal(apphost.Id, "TERM");
            Assert.True(apphost.WaitForExit(TimeSpan.FromSeconds(60)), "the AppHost did not exit within 60 s of SIGTERM");
            Assert.Equal(0, apphost.ExitCode);
            foreach (var resource in state.RootElement.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("resource")))
            {
                var pid = resource.GetProperty("pid").GetInt32();
                Assert.False(IsAlive(pid), $"{resource.GetProperty("name").GetString()} (pid {pid}) survived the AppHost");
            }
        }
        finally
        {
            if (!apphost.HasExited)
            {
                apphost.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task<List<StreamEegResponse>> StreamRecordingAsync(Inference.InferenceClient client, string path)
    {
        var recording = RecordingFiles.Load(path);
        var channels = EegStream.ChannelNames.Select(name => recording.Channel(name) ?? new float[recording.Length]).ToArray();
        using var call = client.StreamEeg();
        var replies = new List<StreamEegResponse>();
        var reading = Task.Run(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                replies.Add(call.ResponseStream.Current);
            }
        });
        foreach (var chunk in EegChunks.Split(channels, EegStream.SampleRateHz, SampleLayout.Interleaved))
        {
            await call.RequestStream.WriteAsync(new StreamEegRequest { Chunk = chunk });
        }
        await call.RequestStream.CompleteAsync();
        await reading;
        return replies;
    }

    [Theory]
    [InlineData("0", "--restart-delay: 0 is not between 0.1 and 30 seconds")]
    [InlineData("31", "--restart-delay: 31 is not between 0.1 and 30 seconds")]
    [InlineData("NaN", "--restart-delay: NaN is not between 0.1 and 30 seconds")]
    public async Task ABadRestartDelayIsOneLineNamingTheFlag(string value, string message)
    {
        using var apphost = Start(TempDirectory(), "--restart-delay", value);
        var error = await apphost.StandardError.ReadToEndAsync();
        await apphost.WaitForExitAsync();

        Assert.Equal(2, apphost.ExitCode);
        Assert.Equal("HbacAspire.AppHost: " + message, error.Trim());
    }

    [Fact]
    public async Task MissingRedisServerIsOneLineWithTheInstallCommand()
    {
        var emptyPath = TempDirectory();
        using var apphost = Start(TempDirectory(), environment: new() { ["PATH"] = emptyPath });
        var error = await apphost.StandardError.ReadToEndAsync();
        await apphost.WaitForExitAsync();

        Assert.Equal(2, apphost.ExitCode);
        Assert.Equal(
            "HbacAspire.AppHost: redis-server is not on PATH: install it with 'sudo apt-get install -y redis-server' (Debian/Ubuntu)",
            error.Trim());
    }

    private static Process Start(string home, params string[] extra) => Start(home, null, extra);

    private static Process Start(string home, Dictionary<string, string>? environment, params string[] extra)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var ports = new[] { "--dashboard-port", "--redis-port", "--preprocessing-port", "--training-port", "--inference-port" };
        info.ArgumentList.Add(AppHostDll);
        info.ArgumentList.Add("--home");
        info.ArgumentList.Add(home);
        // Free ports unless the test fixes one.
        foreach (var port in ports.Where(p => !extra.Contains(p)))
        {
            info.ArgumentList.Add(port);
            info.ArgumentList.Add("0");
        }
        foreach (var argument in extra)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? [])
        {
            info.Environment[name] = value;
        }
        return Process.Start(info)!;
    }

    private static ConcurrentBag<string> Collect(Process process) => Collect(process, out _);

    private static string Output(ConcurrentBag<string> stdout, ConcurrentBag<string> stderr) =>
        "stdout:\n" + string.Join("\n", stdout.Reverse()) + "\nstderr:\n" + string.Join("\n", stderr.Reverse());

    private static ConcurrentBag<string> Collect(Process process, out ConcurrentBag<string> errors)
    {
        var lines = new ConcurrentBag<string>();
        var errorLines = errors = new ConcurrentBag<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lines.Add(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                errorLines.Add(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return lines;
    }

    private static async Task<JsonElement> RedisResource(HttpClient http, string dashboard)
    {
        using var state = JsonDocument.Parse(await http.GetStringAsync(dashboard + "/api/state"));
        return state.RootElement.GetProperty("resources").EnumerateArray()
            .Select(r => r.GetProperty("resource"))
            .Single(r => r.GetProperty("name").GetString() == "redis")
            .Clone();
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what, double seconds = 30)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out after {seconds} s waiting for {what}");
            await Task.Delay(100);
        }
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString()]);
        kill.WaitForExit();
    }
}
