namespace HbacAspire.IntegrationTests.Support;

/// <summary>Linux process tree from /proc: who is whose child, and whether a PID still lives.</summary>
internal static class Processes
{
    /// <summary>True while the process exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>Every process's PID.</summary>
    public static IEnumerable<int> All() =>
        Directory.EnumerateDirectories("/proc").Select(folder => int.TryParse(Path.GetFileName(folder), out var pid) ? pid : 0).Where(pid => pid > 0);

    /// <summary>Every descendant of <paramref name="pid"/>, parents before children.</summary>
    public static IReadOnlyList<int> Descendants(int pid)
    {
        var parents = new Dictionary<int, int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(folder), out var child) && Parent(child) is { } parent)
            {
                parents[child] = parent;
            }
        }
        var result = new List<int>();
        var frontier = new Queue<int>([pid]);
        while (frontier.TryDequeue(out var current))
        {
            foreach (var (child, parent) in parents)
            {
                if (parent == current)
                {
                    result.Add(child);
                    frontier.Enqueue(child);
                }
            }
        }
        return result;
    }

    private static int? Parent(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1]);
        }
        catch (Exception exception) when (exception is IOException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Deletes a test's folder; one left behind (a file still open) is harmless.</summary>
    public static void DeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Left for the OS's temp cleanup.
        }
    }
}
