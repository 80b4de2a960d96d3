using System.Diagnostics;

namespace Hbac.Cli.Benchmarks;

/// <summary>
/// Median and fastest wall time of repeated runs of one variant, plus the median CPU time the process
/// spent per run (all threads): on a machine shared with other work, CPU time shows the cost of the
/// work itself when wall time is inflated by waiting for a core.
/// </summary>
internal sealed record BenchmarkResult(string Name, TimeSpan Median, TimeSpan Min, TimeSpan MedianCpu, int Runs)
{
    public double MedianCpuMs => MedianCpu.TotalMilliseconds;

    public double MedianMs => Median.TotalMilliseconds;

    public double MinMs => Min.TotalMilliseconds;
}

/// <summary>Times a piece of work: warm-up runs first (JIT, caches), then measured runs.</summary>
internal static class BenchmarkTimer
{
    /// <summary>
    /// Warm-up lasts at least this long as well: tiered JIT recompiles hot methods in the background
    /// only after they have run for a while, so a few quick warm-up runs still measure tier-0 code.
    /// </summary>
    public static readonly TimeSpan MinimumWarmup = TimeSpan.FromSeconds(2);

    public static BenchmarkResult Measure(string name, Action work, int warmup, int runs, Action? onRun = null, CancellationToken ct = default)
    {
        var warming = Stopwatch.StartNew();
        for (var i = 0; i < warmup || warming.Elapsed < MinimumWarmup; i++)
        {
            ct.ThrowIfCancellationRequested();
            work();
            if (i < warmup)
            {
                onRun?.Invoke(); // progress counts the announced warm-up runs only
            }
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var times = new TimeSpan[runs];
        var cpu = new TimeSpan[runs];
        using var process = Process.GetCurrentProcess();
        for (var i = 0; i < runs; i++)
        {
            ct.ThrowIfCancellationRequested();
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            work();
            times[i] = watch.Elapsed;
            process.Refresh();
            cpu[i] = process.TotalProcessorTime - cpuBefore;
            onRun?.Invoke();
        }
        Array.Sort(times);
        Array.Sort(cpu);
        return new BenchmarkResult(name, Median(times), times[0], Median(cpu), runs);
    }

    private static TimeSpan Median(TimeSpan[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
