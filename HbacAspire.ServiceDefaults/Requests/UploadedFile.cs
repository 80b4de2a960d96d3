namespace HbacAspire.ServiceDefaults.Requests;

/// <summary>
/// Uploaded bytes written to a file of their own, in a new temporary folder, for readers that take a path
/// (EDF and parquet readers seek). Disposing it deletes the folder, however the request ended. Shared by the
/// services that accept recording uploads (preprocessing's ConvertRecording, inference's ScoreRecording).
/// </summary>
public sealed class UploadedFile : IDisposable
{
    private readonly DirectoryInfo _folder;

    private UploadedFile(DirectoryInfo folder, string path)
    {
        _folder = folder;
        Path = path;
    }

    /// <summary>The file, named <c>fileName</c> (its extension tells the readers the format).</summary>
    public string Path { get; }

    /// <param name="fileName">A plain file name: a client's path is cut to its last part, so nothing is written outside the folder.</param>
    public static async Task<UploadedFile> WriteAsync(string fileName, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var name = System.IO.Path.GetFileName(fileName);
        ArgumentException.ThrowIfNullOrWhiteSpace(name, nameof(fileName));
        var folder = Directory.CreateTempSubdirectory("hbac-upload-");
        try
        {
            var path = System.IO.Path.Combine(folder.FullName, name);
            await File.WriteAllBytesAsync(path, content, cancellationToken);
            return new UploadedFile(folder, path);
        }
        catch
        {
            folder.Delete(recursive: true);
            throw;
        }
    }

    public void Dispose()
    {
        if (_folder.Exists)
        {
            _folder.Delete(recursive: true);
        }
    }
}
