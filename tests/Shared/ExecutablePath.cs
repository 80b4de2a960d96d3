namespace Hbac.Tests;

/// <summary>Where a tool the tests run from the system (redis-server, protoc, ...) is found.</summary>
internal static class ExecutablePath
{
    /// <summary>The first <paramref name="name"/> in a folder of PATH, or null.</summary>
    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(folder => Path.Combine(folder, name))
        .FirstOrDefault(File.Exists);
}
