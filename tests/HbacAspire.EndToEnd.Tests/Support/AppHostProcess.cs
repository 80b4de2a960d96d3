using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Grpc.Net.Client;

namespace HbacAspire.EndToEnd.Tests.Support;

/// <summary>
/// The built AppHost run as a real process the way a script runs it (<c>dotnet HbacAspire.AppHost.dll
/// --home ... --job none</c>, every port 0): its <c>endpoint</c> and <c>ready</c> lines are read from
/// stdout, resources (PIDs, health, restarts) from the dashboard's <c>/api/state</c>. Dispose kills
/// whatever is left - the AppHost's tree and every child PID the dashboard ever showed.
/// </summary>
internal sealed class AppHostProcess : IAsyncDisposable
{
    private static readonly string AppHostDll = Path.Combine(AppContext.BaseDirectory, "HbacAspire.AppHost.dll");

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly ConcurrentDictionary<int, string> _childrenSeen = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);

    private AppHostProcess(Process process, string home)
    {
        _process = process;
        Home = home;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _stdout.Enqueue(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _stderr.Enqueue(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Home { get; }

    public string ModelRepository => Path.Combine(Home, "models");

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Every child PID seen in the dashboard so far (resource name by PID).</summary>
    public IReadOnlyDictionary<int, string> ChildrenSeen => _childrenSeen;

    public IReadOnlyList<string> StdoutLines => _stdout.ToList();

    /// <summary>Starts the AppHost with every port free (0), no built-in job, and <paramref name="data"/> as the data folder.</summary>
    public static AppHostProcess Start(string home, string data, params string[] extra)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     AppHostDll, "--home", home, "--job", "none", "--data", data,
                     "--dashboard-port", "0", "--preprocessing-port", "0", "--training-port", "0", "--inference-port", "0", "--redis-port", "0",
                 }.Concat(extra))
        {
            info.ArgumentList.Add(argument);
        }
        return new AppHostProcess(Process.Start(info)!, home);
    }

    /// <summary>stdout, stderr and the tail of each child's log, for failure messages.</summary>
    public string Diagnostics()
    {
        var text = "AppHost stdout:\n" + string.Join("\n", _stdout) + "\nAppHost stderr:\n" + string.Join("\n", _stderr.TakeLast(80));
        var logs = Path.Combine(Home, "logs");
        if (Directory.Exists(logs))
        {
            foreach (var log in Directory.EnumerateFiles(logs, "*.log"))
            {
                try
                {
                    var lines = File.ReadAllLines(log);
                    text += $"\n--- {Path.GetFileName(log)} (last 30 lines)\n" + string.Join("\n", lines.TakeLast(30));
                }
                catch (IOException)
                {
                    // Being written; skip.
                }
            }
        }
        return text;
    }

    /// <summary>Waits for the <c>endpoint</c> lines (printed before any child starts).</summary>
    public Task WaitForEndpointsAsync(double seconds = 60) =>
        Wait.UntilAsync(() => _stdout.Any(l => l.StartsWith("endpoint dashboard ", StringComparison.Ordinal)) && StdoutHasResourceLines(),
            "the AppHost's endpoint lines", seconds, Diagnostics, () => _process.HasExited);

    /// <summary>Waits for the <c>ready</c> line: every resource healthy and inference serving a model.</summary>
    public Task WaitForReadyAsync(double seconds = 180) =>
        Wait.UntilAsync(() => IsReady, "the AppHost's ready line", seconds, Diagnostics, () => _process.HasExited);

    public bool IsReady => _stdout.Contains("ready");

    /// <summary>The URL of a resource's endpoint from its <c>endpoint &lt;resource&gt; &lt;url&gt;</c> line.</summary>
    public string Endpoint(string resource) => TryEndpoint(resource)
        ?? throw new InvalidOperationException($"no 'endpoint {resource}' line\n{Diagnostics()}");

    public string? TryEndpoint(string resource) => _stdout
        .Where(l => l.StartsWith($"endpoint {resource} ", StringComparison.Ordinal))
        .Select(l => l.Split(' ')[2])
        .FirstOrDefault();

    /// <summary>One channel per service endpoint, reused by the tests (as a real client would).</summary>
    public GrpcChannel Channel(string resource) => _channels.GetOrAdd(resource, r => GrpcChannel.ForAddress(Endpoint(r), new GrpcChannelOptions
    {
        MaxReceiveMessageSize = null,
        MaxSendMessageSize = null,
    }));

    /// <summary>A new channel (new HTTP/2 connection), e.g. after the service was restarted.</summary>
    public GrpcChannel NewChannel(string resource) => GrpcChannel.ForAddress(Endpoint(resource));

    /// <summary>The <c>resource</c> objects of the dashboard's <c>/api/state</c>, by name.</summary>
    public async Task<IReadOnlyDictionary<string, JsonElement>> ResourcesAsync()
    {
        using var state = JsonDocument.Parse(await _http.GetStringAsync(Endpoint("dashboard") + "/api/state"));
        var resources = state.RootElement.GetProperty("resources").EnumerateArray()
            .Select(r => r.GetProperty("resource").Clone())
            .ToDictionary(r => r.GetProperty("name").GetString()!, StringComparer.Ordinal);
        foreach (var (name, resource) in resources)
        {
            if (resource.GetProperty("pid").ValueKind == JsonValueKind.Number)
            {
                _childrenSeen[resource.GetProperty("pid").GetInt32()] = name;
            }
        }
        return resources;
    }

    public async Task<JsonElement> ResourceAsync(string name) => (await ResourcesAsync())[name];

    /// <summary>The PID of a running resource (from the dashboard).</summary>
    public async Task<int> PidAsync(string name)
    {
        var pid = (await ResourceAsync(name)).GetProperty("pid");
        Assert.True(pid.ValueKind == JsonValueKind.Number, $"{name} has no PID in the dashboard: {pid}");
        return pid.GetInt32();
    }

    /// <summary>SIGTERM, as Ctrl+C in a terminal or a service manager would send; true when it exited within <paramref name="timeout"/>.</summary>
    public bool Terminate(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]))
        {
            kill.WaitForExit();
        }
        if (!_process.WaitForExit(timeout))
        {
            return false;
        }
        _process.WaitForExit(); // drains the redirected output
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        // Children are process-group leaders of their own (setsid): end any group left behind.
        foreach (var pid in _childrenSeen.Keys)
        {
            foreach (var member in HbacAspire.AppHost.Supervision.ProcessGroup.Members(pid))
            {
                try
                {
                    Process.GetProcessById(member).Kill();
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException)
                {
                    // Ended meanwhile.
                }
            }
        }
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
        _http.Dispose();
        _process.Dispose();
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }

    private bool StdoutHasResourceLines() => _stdout.Any(l => l.StartsWith("endpoint redis ", StringComparison.Ordinal));
}
