using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Grpc.Net.Client;
using Hbac.Cli.Services;
using Hbac.Contracts.Security;
using Hbac.Contracts.V1;

namespace Hbac.Cli.Benchmarks;

/// <summary>
/// The inference service as a child process on a free loopback port (no Redis: streams and uploaded
/// tensors never touch the cache, so it runs Degraded), for the benchmarks that start one. Stopped with
/// SIGTERM on dispose, and killed only if it has not ended 10 s later. It gets a key of its own, which
/// only this process knows: the services refuse to start without one.
/// </summary>
internal sealed class SpawnedInferenceService : IAsyncDisposable
{
    private readonly Process _process;

    private SpawnedInferenceService(Process process, string url, string apiKey)
    {
        _process = process;
        Url = url;
        Key = new ServiceKey(apiKey, "the spawned service's own key");
    }

    public string Url { get; }

    public ServiceKey Key { get; }

    /// <summary>A channel to the service whose calls carry its key.</summary>
    public GrpcChannel Channel() => InferenceLoad.Channel(Url, Key);

    public int ProcessId => _process.Id;

    /// <summary>CPU time the service has used so far (all threads).</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>
    /// Starts <paramref name="dll"/> serving <paramref name="repository"/> and waits until
    /// <paramref name="missing"/> says nothing is missing from its ListModels answer (null), or 60 s.
    /// </summary>
    /// <param name="command">The benchmark, for error messages ("bench load").</param>
    public static async Task<SpawnedInferenceService> StartAsync(string command, string dll, string repository, int maxBatch,
        Func<ListModelsResponse, string?> missing, CancellationToken ct)
    {
        var port = InferenceLoad.FreeLoopbackPort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ConnectionStrings__redis"] = $"127.0.0.1:{InferenceLoad.FreeLoopbackPort()}";
        start.Environment["Hbac__ModelRepository"] = Path.GetFullPath(repository);
        start.Environment["Hbac__MaxBatch"] = maxBatch.ToString(CultureInfo.InvariantCulture);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var apiKey = ApiKeys.Generate();
        start.Environment["Hbac__ApiKey"] = apiKey;
        var process = Process.Start(start) ?? throw new CliUsageException($"{command}: could not start dotnet {dll}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var service = new SpawnedInferenceService(process, $"http://127.0.0.1:{port}", apiKey);
        using var channel = service.Channel();
        var client = new Inference.InferenceClient(channel);
        var deadline = Stopwatch.StartNew();
        string? lacking = "no answer";
        ListModelsResponse? listed = null;
        while (true)
        {
            try
            {
                listed = await client.ListModelsAsync(new ListModelsRequest(), deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: ct);
                lacking = missing(listed);
                if (lacking is null)
                {
                    return service;
                }
            }
            catch (Grpc.Core.RpcException)
            {
                // Not listening yet.
            }
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                await service.DisposeAsync();
                // A model the service refused says why (e.g. an EEG model of another preprocessing version than this service's build).
                var refused = listed?.Models.Where(m => !m.Valid).Select(m => $"{m.Version}: {m.InvalidReason}").Distinct().ToList() ?? [];
                throw new CliUsageException($"{command}: the spawned service ({dll}) serves {lacking} from {repository} after 60 s" +
                    (refused.Count > 0 ? $"; it refused {string.Join("; ", refused)}" : ""));
            }
            await Task.Delay(250, ct);
        }
    }

    /// <summary>What bench load needs: a spectrogram model for Score and an EEG-window model for StreamEeg.</summary>
    public static string? BothKinds(ListModelsResponse models) => (models.ActiveVersion.Length > 0, models.ActiveEegVersion.Length > 0) switch
    {
        (true, true) => null,
        (false, true) => "no spectrogram model",
        (true, false) => "no EEG-window model",
        _ => "no model",
    };

    /// <summary>Hbac.Inference.dll next to the sources this CLI was built from (Release first).</summary>
    public static string FindDll(string command)
    {
        // The CLI's own checkout first: run from another checkout's folder, the current directory would find that
        // checkout's service, whose build may not read this one's models.
        foreach (var origin in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(origin); dir is not null; dir = dir.Parent)
            {
                foreach (var configuration in new[] { "Release", "Debug" })
                {
                    var candidate = Path.Combine(dir.FullName, "src", "Hbac.Inference", "bin", configuration, "net10.0", "Hbac.Inference.dll");
                    if (File.Exists(candidate))
                    {
                        return candidate;
                    }
                }
            }
        }
        throw new CliUsageException($"{command}: Hbac.Inference.dll not found; build src/Hbac.Inference (-c Release) or pass --service");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // A graceful stop first (the service ends its streams and flushes); a hung one is killed.
            _ = Kill(_process.Id, SigTerm);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        _process.Dispose();
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
