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
            var cells = rows.Select(row => row.Split('|', StringSplitOptions.TrimEntries)).ToArray();
            // Per input: NCHW (the reference), channels-last with the check's verdict, and where that is "no" and running the
            // wrong convolutions NCHW mends it, that variant too (on the AMD EPYC), which must then agree.
            var inputs = new[] { "spectrogram 66x50", "eeg 400x10", "full (seed profile) 400x300" };
            Assert.Equal(inputs, cells.Select(c => c[2]).Distinct());
            foreach (var input in inputs)
            {
                var of = cells.Where(c => c[2] == input).ToArray();
                Assert.Equal(("NCHW", "1.00x", "reference"), (of[0][3], of[0][7], of[0][8]));
                Assert.Equal("channels-last", of[1][3]);
                Assert.Matches(@"^(yes \(\d+(\.\d+)?(E-?\d+)?\)|\*\*no\*\* \(.+\))$", of[1][8]);
                if (of.Length == 3)
                {
                    Assert.StartsWith("**no**", of[1][8], StringComparison.Ordinal);
                    Assert.Matches(@"^channels-last, \d+ wrong ones NCHW$", of[2][3]);
                    Assert.StartsWith("yes", of[2][8], StringComparison.Ordinal);
                }
                else
                {
                    Assert.Equal(2, of.Length);
                }
            }
            Assert.Equal(cells.Any(c => c[8].StartsWith("**no**", StringComparison.Ordinal)),
                run.Stdout.Contains("a training run there runs the wrong convolutions NCHW", StringComparison.Ordinal));
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
