namespace Hbac.Cli.Tests;

public class BenchDataCommandTests
{
    [Fact]
    public void Prints_one_row_per_variant_and_the_file_steps()
    {
        // A tiny run (36 s of EEG, one measured run): checks the table, not the speed.
        var run = HbacProcess.Run("bench", "data", "--hours", "0.01", "--runs", "1", "--warmup", "0");

        Assert.Equal(0, run.ExitCode);
        foreach (var row in new[]
                 {
                     "scalar, 1 thread", "SIMD, 1 thread", "scalar, 2 threads", "SIMD, 2 threads", "streamed 1-s chunks", "read spectrogram parquet",
                     "convert to .npy bytes", "window decode", "window, scalar FFT frames", "window, SIMD FFT frames", "stream step: 2 s in, 1 out",
                 })
        {
            Assert.Contains(row.Replace("2 threads", $"{Environment.ProcessorCount} threads"), run.Stdout);
        }
        Assert.Contains("7,200 samples x 20 channels (18 columns)", run.Stdout);
        Assert.Contains("1.00x", run.Stdout);
    }

    [Fact]
    public void Bench_lists_its_subcommands()
    {
        var run = HbacProcess.Run("bench", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("data", run.Stdout);
    }
}
