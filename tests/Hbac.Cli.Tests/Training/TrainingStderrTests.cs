using System.Text.RegularExpressions;

namespace Hbac.Cli.Tests.Training;

/// <summary>What a user sees on the terminal of a real <c>hbac train</c> process, native stderr included.</summary>
public sealed partial class TrainingStderrTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"hbac-train-stderr-{Guid.NewGuid():N}");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void LibtorchRepeatsNoWarning()
    {
        var data = Path.Combine(_folder, "data");
        var synth = HbacProcess.Run("synth", "--out", data, "--patients", "6", "--seed", "3");
        Assert.True(synth.ExitCode == 0, synth.Stderr);
        var train = HbacProcess.Run("train", "--data", data, "--model", "mobilenetv3", "--profile", "quick", "--epochs", "1",
            "--fine-tune-epochs", "0", "--batch", "16", "--downsample", "8", "--threads", "1", "--out", Path.Combine(_folder, "run"));
        Assert.True(train.ExitCode == 0, train.Stderr);
        // libtorch's warnings look like "[W1208 02:20:35.161938173 NNPACK.cpp:56] Could not initialize NNPACK! ...". Where
        // NNPACK cannot run, libtorch logged that once per convolution oneDNN did not take (1,479 lines for this run on
        // a 2-core AMD EPYC VM) until Nnpack.DisableWhereUnavailable.
        var repeated = train.StderrLines
            .Select(line => NativeWarning().Match(line))
            .Where(m => m.Success)
            .GroupBy(m => m.Groups["text"].Value)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Count()} x {g.Key}")
            .ToArray();
        Assert.True(repeated.Length == 0, string.Join("\n", repeated));
    }

    [GeneratedRegex(@"^\[W\d{4} [\d:.]+ (?<text>.+)$")]
    private static partial Regex NativeWarning();
}
