using System.Runtime.InteropServices;

namespace Hbac.Inference.Profiling;

/// <summary>
/// The calling thread's CPU time (Linux CLOCK_THREAD_CPUTIME_ID): what a stage cost, unlike wall time,
/// which on a loaded 2-core machine also counts the time the thread waited for a core.
/// </summary>
internal static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    /// <summary>False where the clock cannot be read (not Linux): stages then report wall time only.</summary>
    public static bool IsAvailable { get; } = OperatingSystem.IsLinux() && TryRead(out _);

    /// <summary>Nanoseconds of CPU the calling thread has used, or -1 when <see cref="IsAvailable"/> is false.</summary>
    public static long NowNanoseconds() => IsAvailable && TryRead(out var ns) ? ns : -1;

    private static bool TryRead(out long nanoseconds)
    {
        try
        {
            if (ClockGetTime(ClockThreadCpuTimeId, out var time) == 0)
            {
                nanoseconds = time.Seconds * 1_000_000_000 + time.Nanoseconds;
                return true;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
        nanoseconds = -1;
        return false;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clockId, out TimeSpec time);
}
