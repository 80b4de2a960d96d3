namespace Hbac.Cli.Tests;

public class BenchOnnxCommandTests
{
    [Fact]
    public void Compares_two_builds_round_by_round_in_one_table()
    {
        // This build against itself (the real comparison passes a build with the other ONNX Runtime
        // package): checks the table and its build lines, not the speed.
        var self = Path.Combine(AppContext.BaseDirectory, "hbac.dll");
        var run = HbacProcess.Run("bench", "onnx", "--models", "mobilenetv3", "--batches", "1", "--repeats", "1", "--rounds", "2", "--threads", "1", "--compare", self);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("median of 2 child processes", run.Stdout);
        // Whichever package this build has (-p:HbacOnnxRuntime), on this GPU-less machine.
        Assert.Contains($"- A: this build, {Hbac.Onnx.OnnxRuntimeBuild.Package} 1.32.0 on CPU", run.Stdout);
        Assert.Contains($"- B: --compare build, {Hbac.Onnx.OnnxRuntimeBuild.Package} 1.32.0 on CPU", run.Stdout);
        Assert.Contains("- CUDA not used: ", run.Stdout);
        var row = Assert.Single(run.Stdout.Split('\n'), l => l.StartsWith("| mobilenetv3 | 1 |", StringComparison.Ordinal));
        var cells = row.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7, cells.Length);
        Assert.All(cells.Skip(2), c => Assert.True(double.Parse(c, System.Globalization.CultureInfo.InvariantCulture) > 0, row));
    }

    [Fact]
    public void Nodes_prints_the_kernel_time_per_op_type_and_the_slowest_nodes()
    {
        var run = HbacProcess.Run("bench", "onnx", "--models", "mobilenetv3", "--nodes", "--batches", "1,2", "--repeats", "2", "--threads", "1");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("mobilenetv3, batch 1, 1 thread(s), 2 profiled runs after 2 warm-up runs", run.Stdout);
        Assert.Contains("mobilenetv3, batch 2, 1 thread(s), 2 profiled runs after 2 warm-up runs", run.Stdout);
        Assert.Contains("profiling mobilenetv3, batch 2: 2 runs ...", run.Stderr);
        // The fp32 export's convolutions are most of its time, whatever ONNX Runtime fuses them into.
        var conv = run.Stdout.Split('\n').First(l => l.StartsWith("| Conv |", StringComparison.Ordinal));
        var cells = conv.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.True(int.Parse(cells[1], System.Globalization.CultureInfo.InvariantCulture) > 40, conv);
        Assert.True(double.Parse(cells[4].TrimEnd('%', ' '), System.Globalization.CultureInfo.InvariantCulture) > 50, conv);
        Assert.Equal(2, run.Stdout.Split('\n').Count(l => l.StartsWith("slowest nodes: ", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_missing_compare_build_is_one_line_naming_it()
    {
        var run = HbacProcess.Run("bench", "onnx", "--compare", "/nonexistent/hbac.dll");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(["hbac: --compare: /nonexistent/hbac.dll: file not found (the hbac.dll of another build)"], run.StderrLines);
    }
}
