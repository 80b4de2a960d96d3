using Hbac.Contracts.Security;

namespace HbacAspire.AppHost.Security;

/// <summary>A problem with the key file or a configured key, said in one line naming the file or setting.</summary>
public sealed class ApiKeyFileException(string message) : Exception(message);

/// <summary>
/// The services' API key in <c>&lt;--home&gt;/api-key</c>: generated on the first run, readable and
/// writable by its owner only (mode 0600, set when the file is created, so it is never readable by
/// others even for a moment), and the same key on every later run. Rotating it = deleting the file.
/// </summary>
public static class ApiKeyFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The key in <paramref name="path"/>, written first when the file does not exist (<paramref name="created"/>).</summary>
    public static string LoadOrCreate(string path, out bool created)
    {
        created = false;
        if (!File.Exists(path))
        {
            var key = ApiKeys.Generate();
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = OwnerOnly;
                }
                using (var stream = new FileStream(path, options))
                using (var writer = new StreamWriter(stream))
                {
                    writer.WriteLine(key);
                }
                created = true;
                return key;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another AppHost on the same home wrote it first: use theirs.
            }
        }
        return Load(path);
    }

    /// <summary>The key in an existing file; refused when others may read it or it holds no usable key.</summary>
    public static string Load(string path)
    {
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~(OwnerOnly | UnixFileMode.UserExecute)) != 0)
        {
            throw new ApiKeyFileException(
                $"{path}: the API key file can be read by others (mode {Octal(File.GetUnixFileMode(path))}); 'chmod 600 {path}', or delete it to have a new key generated");
        }
        var key = File.ReadAllText(path).Trim();
        if (ApiKeys.Problem(key) is { } problem)
        {
            throw new ApiKeyFileException($"{path}: the API key {problem}; delete the file to have a new key generated");
        }
        return key;
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
