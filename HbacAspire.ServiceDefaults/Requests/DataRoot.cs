namespace HbacAspire.ServiceDefaults.Requests;

/// <summary>
/// Resolves request paths against the configured data root and refuses every way out of it: absolute
/// paths elsewhere, ".." segments, and symbolic links (at any depth) whose target lies outside.
/// Shared by every service that takes file paths in requests (preprocessing, training), so they confine
/// paths the same way.
/// </summary>
public sealed class DataRoot
{
    private const int MaxLinkDepth = 40;

    /// <param name="root">The data root (relative to the working directory or absolute).</param>
    public DataRoot(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        FullPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
    }

    /// <summary>The root as configured, made absolute.</summary>
    public string FullPath { get; }

    /// <summary>An existing file under the root; <paramref name="field"/> names the request field in errors.</summary>
    public string ResolveFile(string path, string field)
    {
        var full = Resolve(path, field);
        if (!File.Exists(full))
        {
            throw new RequestRejectedException(Rejection.NotFound, $"{field}: '{StatusDetail.Echo(path)}' is not a file under the data root");
        }
        return full;
    }

    /// <summary>An existing folder under the root (the root itself included).</summary>
    public string ResolveDirectory(string path, string field)
    {
        var full = Resolve(path, field);
        if (!Directory.Exists(full))
        {
            throw new RequestRejectedException(Rejection.NotFound, $"{field}: '{StatusDetail.Echo(path)}' is not a folder under the data root");
        }
        return full;
    }

    /// <summary>The path relative to the root, with '/' separators, for messages and progress.</summary>
    public string Relative(string fullPath) => Path.GetRelativePath(FullPath, fullPath).Replace('\\', '/');

    private string Resolve(string path, string field)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new RequestRejectedException(Rejection.InvalidArgument, $"{field}: required, a path relative to the data root");
        }
        if (path.Contains('\0'))
        {
            throw new RequestRejectedException(Rejection.InvalidArgument, $"{field}: contains a NUL character");
        }
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(FullPath, path)));
        if (!IsInside(full, FullPath) || !IsInside(RealPath(full, field), RealPath(FullPath, field)))
        {
            throw new RequestRejectedException(Rejection.InvalidArgument, $"{field}: '{StatusDetail.Echo(path)}' is outside the data root");
        }
        return full;
    }

    private static bool IsInside(string candidate, string root) =>
        candidate == root || candidate.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The path with every symbolic link along it replaced by its final target.</summary>
    private static string RealPath(string fullPath, string field, int depth = 0)
    {
        if (depth > MaxLinkDepth)
        {
            throw new RequestRejectedException(Rejection.InvalidArgument, $"{field}: too many levels of symbolic links");
        }
        var current = Path.GetPathRoot(fullPath)!;
        var segments = fullPath[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < segments.Length; i++)
        {
            current = Path.Combine(current, segments[i]);
            var info = new FileInfo(current);
            if (info.LinkTarget is null)
            {
                continue;
            }
            // The target may itself sit behind links: resolve it, then continue below it.
            var target = Path.GetFullPath(info.LinkTarget, Path.GetDirectoryName(current)!);
            var rest = string.Join(Path.DirectorySeparatorChar, segments[(i + 1)..]);
            return RealPath(Path.TrimEndingDirectorySeparator(Path.Combine(target, rest)), field, depth + 1);
        }
        return Path.TrimEndingDirectorySeparator(fullPath);
    }
}
