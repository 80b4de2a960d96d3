using System.Diagnostics;
using System.Diagnostics.Metrics;
using Hbac.Contracts;
using Hbac.Onnx;

namespace Hbac.Inference.Profiling;

/// <summary>A stage's start: the wall clock, and the thread and its CPU clock when the stage began.</summary>
public readonly record struct StageStart(long Timestamp, int ThreadId, long CpuNanoseconds)
{
    public static StageStart Now() => new(Stopwatch.GetTimestamp(), Environment.CurrentManagedThreadId, ThreadCpuClock.NowNanoseconds());
}

/// <summary>One stage's sums: windows, wall milliseconds, and CPU milliseconds over the windows whose CPU could be read.</summary>
public sealed record StageTotal(ModelInputKind Kind, ServingStage Stage, long Windows, double WallMs, double CpuMs, long CpuWindows);

/// <summary>
/// Where the service's time goes per window (the path from gRPC message to reply), summed per input kind
/// and stage since the start or the last reset, for GetServingProfile and `hbac bench load`; each record
/// also goes to the hbac.inference.stage.duration histogram for the dashboard. Recording is a few
/// interlocked adds, so it stays on in production.
/// </summary>
public sealed class StageProfile
{
    private static readonly ModelInputKind[] Kinds = [ModelInputKind.Spectrogram, ModelInputKind.Eeg];

    private readonly Sums[] _sums = new Sums[Kinds.Length * ServingStages.All.Count];
    private readonly Histogram<double>? _duration;
    private long _since = Stopwatch.GetTimestamp();

    public StageProfile(IMeterFactory? meterFactory = null)
    {
        for (var i = 0; i < _sums.Length; i++)
        {
            _sums[i] = new Sums();
        }
        _duration = meterFactory?.Create(HbacInstruments.MeterName).CreateHistogram<double>(
            HbacInstruments.InferenceStageDuration, "ms", "Wall time of one stage of a window's path through the inference service, per window");
    }

    /// <summary>
    /// Adds a stage that began at <paramref name="start"/> and ends now, done for <paramref name="windows"/>
    /// windows (0: work that completed no window yet, e.g. a chunk short of the next window; its time still
    /// counts). CPU is read only when the stage ended on the thread it began on.
    /// </summary>
    public void Record(ModelInputKind kind, ServingStage stage, int windows, StageStart start) =>
        RecordBetween(kind, stage, windows, start, StageStart.Now());

    /// <summary>As <see cref="Record"/>, for a stage that ended at <paramref name="end"/> (read before the window count was known).</summary>
    public void RecordBetween(ModelInputKind kind, ServingStage stage, int windows, StageStart start, StageStart end)
    {
        var cpu = start.CpuNanoseconds >= 0 && end.CpuNanoseconds >= 0 && start.ThreadId == end.ThreadId
            ? end.CpuNanoseconds - start.CpuNanoseconds
            : -1;
        Add(kind, stage, windows, end.Timestamp - start.Timestamp, cpu, windows);
    }

    /// <summary>Adds wall time measured elsewhere (the queue's wait, a batch's model time), with no CPU.</summary>
    public void RecordWall(ModelInputKind kind, ServingStage stage, int windows, TimeSpan wall) =>
        Add(kind, stage, windows, (long)(wall.TotalSeconds * Stopwatch.Frequency), -1, windows);

    /// <summary>The sums of every stage that saw work, by kind then stage; <paramref name="reset"/> zeroes them after reading.</summary>
    public (IReadOnlyList<StageTotal> Stages, TimeSpan Covered) Snapshot(bool reset)
    {
        var totals = new List<StageTotal>();
        for (var k = 0; k < Kinds.Length; k++)
        {
            foreach (var stage in ServingStages.All)
            {
                var sums = _sums[Index(k, stage)];
                var (windows, wall, cpu, cpuWindows) = reset ? sums.Take() : sums.Read();
                if (windows > 0 || wall > 0)
                {
                    totals.Add(new StageTotal(Kinds[k], stage, windows, wall * 1000.0 / Stopwatch.Frequency, cpu / 1e6, cpuWindows));
                }
            }
        }
        var now = Stopwatch.GetTimestamp();
        var covered = Stopwatch.GetElapsedTime(reset ? Interlocked.Exchange(ref _since, now) : Volatile.Read(ref _since), now);
        return (totals, covered);
    }

    private void Add(ModelInputKind kind, ServingStage stage, int windows, long wallTicks, long cpuNanoseconds, int cpuWindows)
    {
        var k = Array.IndexOf(Kinds, kind);
        if (k < 0)
        {
            return;
        }
        _sums[Index(k, stage)].Add(windows, wallTicks, cpuNanoseconds, cpuWindows);
        if (_duration is not null && windows > 0)
        {
            _duration.Record(wallTicks * 1000.0 / Stopwatch.Frequency / windows, new TagList
            {
                { HbacInstruments.InputKindTag, kind == ModelInputKind.Eeg ? "eeg" : "spectrogram" },
                { HbacInstruments.StageTag, stage.Name() },
            });
        }
    }

    private static int Index(int kind, ServingStage stage) => kind * ServingStages.All.Count + (int)stage;

    private sealed class Sums
    {
        private long _windows;
        private long _wallTicks;
        private long _cpuNanoseconds;
        private long _cpuWindows;

        public void Add(int windows, long wallTicks, long cpuNanoseconds, int cpuWindows)
        {
            Interlocked.Add(ref _windows, windows);
            Interlocked.Add(ref _wallTicks, wallTicks);
            if (cpuNanoseconds >= 0)
            {
                Interlocked.Add(ref _cpuNanoseconds, cpuNanoseconds);
                Interlocked.Add(ref _cpuWindows, cpuWindows);
            }
        }

        public (long Windows, long WallTicks, long CpuNanoseconds, long CpuWindows) Read() =>
            (Volatile.Read(ref _windows), Volatile.Read(ref _wallTicks), Volatile.Read(ref _cpuNanoseconds), Volatile.Read(ref _cpuWindows));

        public (long Windows, long WallTicks, long CpuNanoseconds, long CpuWindows) Take() =>
            (Interlocked.Exchange(ref _windows, 0), Interlocked.Exchange(ref _wallTicks, 0), Interlocked.Exchange(ref _cpuNanoseconds, 0), Interlocked.Exchange(ref _cpuWindows, 0));
    }
}
