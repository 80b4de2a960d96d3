using System.Collections.Concurrent;
using System.Diagnostics;

namespace HbacAspire.IntegrationTests.Support;

/// <summary>
/// The built AppHost run as a real process the way a script runs it (<c>dotnet HbacAspire.AppHost.dll
/// --home ... --job none</c>, every port 0, the dashboard on): its <c>endpoint</c> and <c>ready</c> lines
/// are read from stdout, status lines from stderr. It remembers every process it ever saw under the
/// AppHost (DCP, redis, the services), so a test can check that none outlives it. Dispose kills
/// whatever is left, and the home folder.
/// </summary>
internal sealed class AppHostProcess : IAsyncDisposable
{
    private static readonly string AppHostDll = Path.Combine(AppContext.BaseDirectory, "HbacAspire.AppHost.dll");

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly ConcurrentDictionary<int, string> _seen = new();

    private readonly string _home;

    private AppHostProcess(Process process, string home)
    {
        _process = process;
        _home = home;
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

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public IReadOnlyList<string> StdoutLines => [.. _stdout];

    public IReadOnlyList<string> StderrLines => [.. _stderr];

    /// <summary>Every process seen under the AppHost so far, with its command line.</summary>
    public IReadOnlyDictionary<int, string> Seen => _seen;

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
        // Not a variable of the test host's own run leaks into the AppHost's configuration.
        foreach (var name in new[] { "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT" })
        {
            info.Environment.Remove(name);
        }
        return new AppHostProcess(Process.Start(info)!, home);
    }

    /// <summary>
    /// Records the processes of the stack (called while waiting, so short-lived ones are seen too): the
    /// AppHost's descendants, and DCP's, which starts detached (<c>dcp start-apiserver --monitor
    /// &lt;AppHost pid&gt; --detach</c>) and so is no child of the AppHost; it starts redis and the services.
    /// </summary>
    public void Observe()
    {
        if (_process.HasExited)
        {
            return;
        }
        var roots = Processes.All().Where(pid => Processes.CommandLine(pid).Contains($"--monitor {_process.Id} ", StringComparison.Ordinal)).Append(_process.Id);
        foreach (var pid in roots.SelectMany(root => Processes.Descendants(root).Prepend(root)).Where(pid => pid != _process.Id))
        {
            Record(pid);
        }
    }

    /// <summary>
    /// Keeps a process's latest command line: one seen between its fork and its exec still shows its parent's
    /// (a CI run once recorded DCP's for the Garnet server and never looked again).
    /// </summary>
    private void Record(int pid)
    {
        var command = Processes.CommandLine(pid);
        if (command.Length > 0)
        {
            _seen[pid] = command;
        }
        else
        {
            _seen.TryAdd(pid, command);
        }
    }

    public Task WaitForLineAsync(string prefix, double seconds) =>
        Wait.UntilAsync(() =>
        {
            Observe();
            return _stdout.Any(l => l.StartsWith(prefix, StringComparison.Ordinal));
        }, $"the AppHost to print '{prefix}'", seconds, Diagnostics, () => _process.HasExited);

    public string Endpoint(string resource) =>
        _stdout.FirstOrDefault(l => l.StartsWith($"endpoint {resource} ", StringComparison.Ordinal))?.Split(' ')[2]
        ?? throw new InvalidOperationException($"no endpoint line for {resource}\n{Diagnostics()}");

    /// <summary>The services' API key, from the key file the AppHost wrote under its home.</summary>
    public string ApiKey => File.ReadAllText(Path.Combine(_home, Hbac.Contracts.Security.ApiKeys.FileName)).Trim();

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString()]);
        kill.WaitForExit();
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    public string Diagnostics() =>
        $"stdout:\n{string.Join('\n', _stdout)}\nstderr (last lines):\n{string.Join('\n', _stderr.TakeLast(60))}";

    public async ValueTask DisposeAsync()
    {
        // Record the stack once more first: a service's `dotnet run` wrapper may have started its process
        // after the last wait, and killing the wrapper alone would leave that process running (PPID 1).
        Observe();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        // Children of what was seen (started since), then what was seen.
        foreach (var pid in _seen.Keys.Where(Processes.IsAlive).SelectMany(Processes.Descendants).ToList())
        {
            Record(pid);
        }
        foreach (var pid in _seen.Keys.Where(Processes.IsAlive))
        {
            try
            {
                Process.GetProcessById(pid).Kill();
            }
            catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
            {
                // Gone meanwhile.
            }
        }
        _process.Dispose();
        Processes.DeleteFolder(_home);
    }
}
