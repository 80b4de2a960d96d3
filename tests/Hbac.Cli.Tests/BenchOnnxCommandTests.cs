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
    public void A_missing_compare_build_is_one_line_naming_it()
    {
        var run = HbacProcess.Run("bench", "onnx", "--compare", "/nonexistent/hbac.dll");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(["hbac: --compare: /nonexistent/hbac.dll: file not found (the hbac.dll of another build)"], run.StderrLines);
    }
}
