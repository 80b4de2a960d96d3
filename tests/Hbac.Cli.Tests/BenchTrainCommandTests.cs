namespace Hbac.Cli.Tests;

public class BenchTrainCommandTests
{
    [Fact]
    public void Prints_both_layouts_of_each_input_with_the_ratio_to_nchw()
    {
        // One step, one round, batch 2: checks the table, not the speed.
        var table = Path.Combine(Directory.CreateTempSubdirectory("hbac-bench-train-").FullName, "train.md");
        try
        {
            var run = HbacProcess.Run("bench", "train", "--batch", "2", "--steps", "1", "--rounds", "1", "--out", table);

            Assert.Equal(0, run.ExitCode);
            var rows = run.Stdout.Split('\n').Where(line => line.StartsWith("| mobilenetv3 |", StringComparison.Ordinal)).ToArray();
            Assert.Equal(6, rows.Length);
            Assert.StartsWith("| mobilenetv3 | spectrogram 50x37 | NCHW |", rows[0]);
            Assert.StartsWith("| mobilenetv3 | spectrogram 50x37 | channels-last |", rows[1]);
            Assert.StartsWith("| mobilenetv3 | eeg 400x10 | NCHW |", rows[2]);
            Assert.StartsWith("| mobilenetv3 | eeg 400x10 | channels-last |", rows[3]);
            Assert.StartsWith("| mobilenetv3 | full (seed profile) 400x300 | NCHW |", rows[4]);
            Assert.StartsWith("| mobilenetv3 | full (seed profile) 400x300 | channels-last |", rows[5]);
            Assert.EndsWith("| 1.00x | reference |", rows[0].TrimEnd());
            Assert.EndsWith("| 1.00x | reference |", rows[2].TrimEnd());
            // Each channels-last row says whether its kernels compute what NCHW does, and a "no" is explained below.
            var verdicts = rows.Where((_, i) => i % 2 == 1).Select(row => row.Split('|', StringSplitOptions.TrimEntries)[^2]).ToArray();
            Assert.All(verdicts, v => Assert.Matches(@"^(yes \(\d+(\.\d+)?(E-?\d+)?\)|\*\*no\*\* \(.+\))$", v));
            Assert.Equal(verdicts.Any(v => v.StartsWith("**no**", StringComparison.Ordinal)),
                run.Stdout.Contains("a training run there falls back to NCHW", StringComparison.Ordinal));
            Assert.Contains("batch 2, 1 torch thread(s), median of 1 round(s)", run.Stdout);
            Assert.Equal(File.ReadAllText(table), run.Stdout[..run.Stdout.IndexOf("cores:", StringComparison.Ordinal)]);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(table)!, recursive: true);
        }
    }

    [Fact]
    public void Refuses_an_unknown_model_by_name()
    {
        var run = HbacProcess.Run("bench", "train", "--models", "resnet50");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("resnet50", run.Stderr);
    }
}
