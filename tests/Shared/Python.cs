using System.Diagnostics;

namespace Hbac.Tests;

/// <summary>
/// A Python 3 with the modules a test needs (NumPy, MNE, grpcio): what the platform's users read our files and call our services with. Debian's
/// python3 (<c>apt-get install python3-numpy python3-mne</c>, as .ci/run does) is tried before the one on PATH, which
/// may be a virtual environment without them; HBAC_PYTHON names another.
/// </summary>
internal static class Python
{
    private static readonly Dictionary<string, string?> s_interpreters = [];

    /// <summary>The first interpreter that imports every module, or null.</summary>
    public static string? With(params string[] modules)
    {
        var key = string.Join(',', modules);
        lock (s_interpreters)
        {
            if (!s_interpreters.TryGetValue(key, out var found))
            {
                var import = "import " + string.Join(", ", modules);
                found = Candidates().FirstOrDefault(python => TryRun(python, import, [], out _, out _) == 0);
                s_interpreters[key] = found;
            }
            return found;
        }
    }

    /// <summary>Runs <paramref name="script"/> with <paramref name="args"/> (sys.argv[1:]); fails the test with its stderr when it fails.</summary>
    public static string Run(string python, string script, params string[] args)
    {
        var exit = TryRun(python, script, args, out var stdout, out var stderr);
        Assert.True(exit == 0, $"{python} exited with {exit}: {stderr}");
        return stdout;
    }

    /// <summary>Runs the script file <paramref name="path"/> with <paramref name="args"/>: its exit code and output, whatever they are.</summary>
    public static (int Exit, string Output, string Error) RunFile(string python, string path, params string[] args)
    {
        var exit = Start(python, [path, .. args], out var stdout, out var stderr);
        return (exit, stdout, stderr);
    }

    private static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable("HBAC_PYTHON") is { Length: > 0 } configured)
        {
            yield return configured;
        }
        if (File.Exists("/usr/bin/python3"))
        {
            yield return "/usr/bin/python3";
        }
        yield return "python3";
    }

    private static int TryRun(string python, string script, string[] args, out string stdout, out string stderr) =>
        Start(python, ["-c", script, .. args], out stdout, out stderr);

    private static int Start(string python, IEnumerable<string> arguments, out string stdout, out string stderr)
    {
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in arguments)
        {
            start.ArgumentList.Add(arg);
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            (stdout, stderr) = ("", e.Message);
            return -1;
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{python} did not finish");
            }
            (stdout, stderr) = (output.Result, error.Result);
            return process.ExitCode;
        }
    }
}

/// <summary>A fact that needs Python with <c>modules</c>; skipped with the reason and the install command when none has them.</summary>
internal sealed class PythonFactAttribute : FactAttribute
{
    public PythonFactAttribute(params string[] modules)
    {
        if (Python.With(modules) is null)
        {
            Skip = $"no python3 imports {string.Join(" and ", modules)} (Debian: apt-get install {string.Join(' ', modules.Select(m => "python3-" + m))}; or set HBAC_PYTHON)";
        }
    }
}
