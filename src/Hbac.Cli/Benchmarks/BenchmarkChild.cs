using System.Diagnostics;
using System.Text.Json;

namespace Hbac.Cli.Benchmarks;

/// <summary>
/// Runs one measurement of a benchmark in a fresh process (a clean heap, a process-wide setting, or another
/// build of this CLI) and reads the one result line it prints: <c>HBAC-BENCH {json}</c>.
/// </summary>
internal static class BenchmarkChild
{
    public const string ResultPrefix = "HBAC-BENCH ";

    public static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Prints a child's result line.</summary>
    public static void WriteResult<T>(T result) => Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(result, Json));

    /// <summary>
    /// Runs <paramref name="args"/> with this CLI, or with the <c>hbac.dll</c> of another build when
    /// <paramref name="otherBuild"/> is given, and returns its result.
    /// </summary>
    public static async Task<T> RunAsync<T>(IEnumerable<string> args, CancellationToken ct, string? otherBuild = null)
    {
        var start = new ProcessStartInfo(otherBuild is null ? Environment.ProcessPath! : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var self = Environment.GetCommandLineArgs()[0];
        if (otherBuild is not null)
        {
            start.ArgumentList.Add(otherBuild);
        }
        else if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet" && self.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(self); // `dotnet hbac.dll ...`
        }
        var argList = args.ToList();
        foreach (var a in argList)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start the benchmark child process");
        using var kill = ct.Register(() => process.Kill(entireProcessTree: true));
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var output = await stdout;
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(ResultPrefix, StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            var error = (await stderr).Trim().Split('\n').LastOrDefault() ?? "";
            var who = otherBuild is null ? "" : $" of {otherBuild}";
            throw new InvalidOperationException($"benchmark child{who} '{string.Join(" ", argList)}' failed (exit {process.ExitCode}): {error}");
        }
        return JsonSerializer.Deserialize<T>(line[ResultPrefix.Length..], Json)!;
    }

    /// <summary>The subcommand names from the root to this command ("bench models"), wherever it is attached.</summary>
    public static string[] CommandPath(System.CommandLine.ParseResult parseResult)
    {
        var names = new List<string>();
        for (var result = parseResult.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            if (result.Command is not System.CommandLine.RootCommand)
            {
                names.Insert(0, result.Command.Name);
            }
        }
        return names.ToArray();
    }

    /// <summary>The 1-minute load average: timings are only comparable on an otherwise idle machine.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}
