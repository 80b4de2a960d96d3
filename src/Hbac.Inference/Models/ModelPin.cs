using System.Text.Json;
using Hbac.Onnx;

namespace Hbac.Inference.Models;

/// <summary>
/// A version activated by hand for its input kind, kept in the model repository (<c>.active-&lt;kind&gt;.json</c>)
/// rather than in one process, so that every replica sharing the folder serves it, and a restarted replica too.
/// <see cref="NewestAtPin"/> is the newest version of any kind the folder held when it was pinned: a
/// version named after it was published later and replaces the pin, as a publication always did.
/// </summary>
public sealed record ModelPin(string Version, string NewestAtPin, DateTimeOffset PinnedAt)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static string FileName(ModelInputKind kind) => $".active-{kind.Name()}.json";

    /// <summary>The pin of <paramref name="kind"/> in <paramref name="root"/>, or null when there is none or it cannot be read (then the newest version serves).</summary>
    public static ModelPin? Read(string root, ModelInputKind kind)
    {
        var path = Path.Combine(root, FileName(kind));
        try
        {
            var pin = JsonSerializer.Deserialize<ModelPin>(File.ReadAllBytes(path), Json);
            return pin is { Version.Length: > 0, NewestAtPin: not null } && ModelRepositoryLayout.IsVersionName(pin.Version) ? pin : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Written to a temporary name and renamed over the old pin, so a replica never reads half a file.</summary>
    public void Write(string root, ModelInputKind kind)
    {
        var path = Path.Combine(root, FileName(kind));
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(this, Json));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Which of <paramref name="validNewestFirst"/> (one kind's valid versions, newest first) to serve: the
    /// newest one published after the pin; else the pinned version while it is valid; else the newest.
    /// </summary>
    public static string? Choose(ModelPin? pin, IReadOnlyList<string> validNewestFirst)
    {
        if (validNewestFirst.Count == 0)
        {
            return null;
        }
        if (pin is null || string.CompareOrdinal(validNewestFirst[0], pin.NewestAtPin) > 0)
        {
            return validNewestFirst[0];
        }
        return validNewestFirst.Contains(pin.Version, StringComparer.Ordinal) ? pin.Version : validNewestFirst[0];
    }
}
