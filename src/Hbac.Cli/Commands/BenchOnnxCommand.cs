using System.CommandLine;
using System.Globalization;
using System.Text;
using Hbac.Cli.Benchmarks;
using Hbac.Eeg.Metrics;
using Hbac.Learning.Benchmarks;
using Hbac.Onnx;
using Hbac.Onnx.Profiling;
using Spectre.Console;

namespace Hbac.Cli.Commands;

/// <summary>
/// <c>hbac bench onnx</c>: ONNX Runtime milliseconds per window of the models, in fresh child processes,
/// and with <c>--compare</c> the same measurements by another build of this CLI (another ONNX Runtime
/// package), alternating round by round so both see the same machine load. Prints the medians and
/// their ratio.
/// </summary>
internal static class BenchOnnxCommand
{
    public static Command Create()
    {
        var models = new Option<string>("--models") { Description = "Comma-separated architectures, exported full-size (400x300) with seeded initial weights", DefaultValueFactory = _ => "mobilenetv3,efficientnetv2b2" };
        var onnx = new Option<string?>("--onnx") { Description = "Time this model.onnx instead of the --models exports" };
        var batches = new Option<string>("--batches") { Description = "Batch sizes", DefaultValueFactory = _ => "1,16" };
        var repeats = new Option<int>("--repeats") { Description = "Timed runs per measurement, after one warm-up", DefaultValueFactory = _ => 5 };
        var rounds = new Option<int>("--rounds") { Description = "Child processes per build; the table shows their median", DefaultValueFactory = _ => 3 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads", DefaultValueFactory = _ => 2 };
        var compare = new Option<string?>("--compare") { Description = "hbac.dll of another build to measure in the same run, e.g. built with -p:HbacOnnxRuntime=cpu --artifacts-path /tmp/hbac-cpu" };
        var output = (new Option<string?>("--out") { Description = "Also write the table (Markdown) to this file" }).MustNotBeAFolder();
        var nodes = new Option<bool>("--nodes") { Description = "Instead of timing rounds: ONNX Runtime's profiler, kernel time per op type and the slowest nodes, per model and batch (--repeats profiled runs)" };
        var measure = new Option<string?>("--measure") { Hidden = true }; // child: comma-separated name=path

        var command = new Command("onnx", "ONNX Runtime ms per window of the models; --compare times another build (e.g. the CPU-only ONNX Runtime package) in the same run.");
        foreach (var option in new Option[] { models, onnx, batches, repeats, rounds, threads, compare, nodes, output, measure })
        {
            command.Options.Add(option);
        }

        command.SetAction((parseResult, ct) => CliGuard.RunAsync(async () =>
        {
            var batchSizes = BenchModelsCommand.ParseInts(parseResult.GetValue(batches)!, "--batches");
            var repeatCount = BenchModelsCommand.Positive(parseResult.GetValue(repeats), "--repeats");
            var threadCount = BenchModelsCommand.Positive(parseResult.GetValue(threads), "--threads");
            if (parseResult.GetValue(measure) is { } targets)
            {
                BenchmarkChild.WriteResult(Measure(targets, batchSizes, repeatCount, threadCount));
                return 0;
            }
            if (parseResult.GetValue(nodes))
            {
                var profileDir = Directory.CreateTempSubdirectory("hbac-bench-nodes-");
                try
                {
                    var profiled = Models(parseResult.GetValue(onnx), parseResult.GetValue(models)!, profileDir.FullName);
                    BenchmarkFiles.PrintTable(NodeTables(profiled, batchSizes, repeatCount, threadCount), parseResult.GetValue(output));
                    return 0;
                }
                finally
                {
                    profileDir.Delete(recursive: true);
                }
            }
            var other = parseResult.GetValue(compare);
            if (other is not null && !File.Exists(other))
            {
                throw new CliUsageException($"--compare: {other}: file not found (the hbac.dll of another build)");
            }
            var roundCount = BenchModelsCommand.Positive(parseResult.GetValue(rounds), "--rounds");
            var loadBefore = BenchmarkChild.LoadAverage();
            var dir = Directory.CreateTempSubdirectory("hbac-bench-onnx-");
            try
            {
                var files = Models(parseResult.GetValue(onnx), parseResult.GetValue(models)!, dir.FullName);
                var childArgs = BenchmarkChild.CommandPath(parseResult).Concat(
                [
                    "--measure", string.Join(",", files.Select(f => $"{f.Name}={f.Path}")),
                    "--batches", string.Join(",", batchSizes),
                    "--repeats", repeatCount.ToString(CultureInfo.InvariantCulture),
                    "--threads", threadCount.ToString(CultureInfo.InvariantCulture),
                ]).ToArray();
                var builds = other is null ? new[] { (string?)null } : [null, other];
                var results = builds.ToDictionary(b => b ?? "", _ => new List<BuildResult>());
                var stderr = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
                await stderr.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn()).StartAsync(async context =>
                {
                    var task = context.AddTask("ONNX Runtime", maxValue: roundCount * builds.Length);
                    for (var round = 1; round <= roundCount; round++)
                    {
                        foreach (var build in builds)
                        {
                            task.Description = $"round {round}/{roundCount}: {(build is null ? "this build" : build)}";
                            results[build ?? ""].Add(await BenchmarkChild.RunAsync<BuildResult>(childArgs, ct, build));
                            task.Increment(1);
                        }
                    }
                });
                var table = Table(results[""], other is null ? null : results[other], threadCount, roundCount);
                BenchmarkFiles.PrintTable(table, parseResult.GetValue(output));
                Console.WriteLine($"cores: {Environment.ProcessorCount}, 1-minute load average at start/end: {loadBefore}/{BenchmarkChild.LoadAverage()}");
                return 0;
            }
            finally
            {
                dir.Delete(recursive: true);
            }
        }));
        return command;
    }

    /// <summary>Per model and batch: kernel time per op type (ONNX Runtime's profiler) and the slowest nodes, as Markdown.</summary>
    private static string NodeTables(List<(string Name, string Path)> files, int[] batches, int runs, int threads)
    {
        static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        foreach (var (name, path) in files)
        {
            foreach (var batch in batches)
            {
                Console.Error.WriteLine($"profiling {name}, batch {batch}: {runs} runs ...");
                var (opTypes, slowest) = NodeProfile.Measure(path, batch, runs, threads);
                text.AppendLine(CultureInfo.InvariantCulture, $"{name}, batch {batch}, {threads} thread(s), {runs} profiled runs after 2 warm-up runs (ONNX Runtime's profiler, kernel time):");
                text.AppendLine();
                text.AppendLine("| op type | nodes | ms per run | ms per window | share |");
                text.AppendLine("|---|---:|---:|---:|---:|");
                foreach (var t in opTypes)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"| {t.OpType} | {t.Nodes} | {F(t.MsPerRun)} | {F(t.MsPerRun / batch)} | {t.Share * 100:0.0} % |");
                }
                text.AppendLine(CultureInfo.InvariantCulture, $"| **all** | {opTypes.Sum(t => t.Nodes)} | {F(opTypes.Sum(t => t.MsPerRun))} | {F(opTypes.Sum(t => t.MsPerRun) / batch)} | |");
                text.AppendLine();
                text.AppendLine("slowest nodes: " + string.Join("; ", slowest.Select(n => $"{n.Node} ({n.OpType}) {F(n.MsPerRun)} ms")));
                text.AppendLine();
            }
        }
        return text.ToString().TrimEnd();
    }

    /// <summary>One child's build facts and timings: model -> batch -> (wall, CPU) ms per window.</summary>
    private sealed record BuildResult(string Version, string Package, string Provider, string? CudaUnavailable, Dictionary<string, Dictionary<int, double[]>> Timings);

    private static List<(string Name, string Path)> Models(string? onnx, string names, string dir)
    {
        if (onnx is not null)
        {
            if (!File.Exists(onnx))
            {
                throw new CliUsageException($"--onnx: {onnx}: file not found");
            }
            return [(Path.GetFileNameWithoutExtension(onnx), Path.GetFullPath(onnx))];
        }
        return BenchModelsCommand.ParseNames(names).Select(name =>
        {
            var path = Path.Combine(dir, $"{name}.onnx");
            ModelBenchmark.ExportForOrt(name, path);
            return (name, path);
        }).ToList();
    }

    private static BuildResult Measure(string targets, int[] batches, int repeats, int threads)
    {
        var timings = new Dictionary<string, Dictionary<int, double[]>>();
        string provider = "", cudaUnavailable = "";
        foreach (var target in targets.Split(','))
        {
            var (name, path) = (target[..target.IndexOf('=')], target[(target.IndexOf('=') + 1)..]);
            using var classifier = OnnxClassifier.Open(path, threads);
            provider = classifier.ExecutionProvider;
            cudaUnavailable = classifier.CudaUnavailableReason ?? "";
            timings[name] = ModelBenchmark.MeasureOrt(name, classifier, batches, repeats).ToDictionary(t => t.Batch, t => new[] { t.MsPerImage, t.CpuMsPerImage });
        }
        return new BuildResult(OnnxRuntimeBuild.Version, OnnxRuntimeBuild.Package, provider, cudaUnavailable.Length == 0 ? null : cudaUnavailable, timings);
    }

    private static string Table(List<BuildResult> mine, List<BuildResult>? others, int threads, int rounds)
    {
        static string Build(BuildResult r) => $"{r.Package} {r.Version} on {r.Provider}";
        static string F(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);

        var text = new StringBuilder();
        text.AppendLine($"ONNX Runtime, 400x300 windows, {threads} intra-op threads, ms per window (median of {rounds} child processes; CPU = process CPU time of all threads)");
        text.AppendLine();
        text.AppendLine($"- A: this build, {Build(mine[0])}");
        if (others is not null)
        {
            text.AppendLine($"- B: --compare build, {Build(others[0])}");
        }
        var why = mine.Concat(others ?? []).Select(r => r.CudaUnavailable).FirstOrDefault(r => r is not null);
        if (why is not null)
        {
            text.AppendLine($"- CUDA not used: {why}");
        }
        text.AppendLine();
        text.AppendLine(others is null ? "| model | batch | A ms | A CPU ms |" : "| model | batch | A ms | A CPU ms | B ms | B CPU ms | B / A (wall) |");
        text.AppendLine(others is null ? "|---|---:|---:|---:|" : "|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (model, byBatch) in mine[0].Timings)
        {
            foreach (var batch in byBatch.Keys)
            {
                var a = Statistics.Median(mine.Select(r => r.Timings[model][batch][0]));
                var aCpu = Statistics.Median(mine.Select(r => r.Timings[model][batch][1]));
                var row = $"| {model} | {batch} | {F(a)} | {F(aCpu)} |";
                if (others is not null)
                {
                    var b = Statistics.Median(others.Select(r => r.Timings[model][batch][0]));
                    var bCpu = Statistics.Median(others.Select(r => r.Timings[model][batch][1]));
                    row += $" {F(b)} | {F(bCpu)} | {F(b / a)} |";
                }
                text.AppendLine(row);
            }
        }
        return text.ToString();
    }
}
