namespace Hbac.Learning.Benchmarks;

/// <summary>Resident memory of this process from Linux /proc/self/status (null where /proc is missing).</summary>
public static class ProcessMemory
{
    /// <summary>Peak resident set size in bytes (VmHWM): the high-water mark since the process started.</summary>
    public static long? PeakResidentBytes() => Read("VmHWM:");

    /// <summary>Current resident set size in bytes (VmRSS).</summary>
    public static long? ResidentBytes() => Read("VmRSS:");

    /// <summary>
    /// VmRSS and VmHWM from one read of the file: the kernel computes both at that moment, so the peak is
    /// never below the resident size (two separate reads can see memory freed in between).
    /// </summary>
    public static (long Resident, long Peak)? ResidentAndPeakBytes()
    {
        var lines = ReadStatus();
        return lines is not null && Field(lines, "VmRSS:") is { } resident && Field(lines, "VmHWM:") is { } peak ? (resident, peak) : null;
    }

    private static long? Read(string field) => ReadStatus() is { } lines ? Field(lines, field) : null;

    private static string[]? ReadStatus()
    {
        const string path = "/proc/self/status";
        return File.Exists(path) ? File.ReadAllLines(path) : null;
    }

    private static long? Field(string[] lines, string field)
    {
        foreach (var line in lines)
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                var kb = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return long.Parse(kb) * 1024;
            }
        }
        return null;
    }
}
