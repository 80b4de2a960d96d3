using System.Diagnostics;
using Hbac.Preprocessing.Spectrograms;
using HbacAspire.ServiceDefaults.Requests;

namespace Hbac.Preprocessing.Datasets;

/// <summary>
/// Fills the tensor cache with every spectrogram of a Kaggle-format folder (train_spectrograms/ and
/// test_spectrograms/). A file that cannot be converted is recorded and the others still are.
/// </summary>
public sealed class DatasetPreparer(DataRoot root, SpectrogramCatalog catalog)
{
    /// <param name="folder">Relative to the data root.</param>
    /// <param name="maxFiles">At most this many files (in name order); 0 = all.</param>
    /// <param name="force">Recompute files that are already cached.</param>
    /// <param name="onProgress">Called after every file.</param>
    public async Task<DatasetResult> PrepareAsync(
        string folder, int maxFiles, bool force, Func<DatasetProgress, Task> onProgress, CancellationToken cancellationToken)
    {
        if (maxFiles < 0)
        {
            throw new RequestRejectedException(Rejection.InvalidArgument, $"max_files: {maxFiles} must be >= 0 (0 = all)");
        }
        var files = FindSpectrograms(root.ResolveDirectory(folder, "folder"), folder);
        if (maxFiles > 0)
        {
            files = files.Take(maxFiles).ToList();
        }

        var clock = Stopwatch.StartNew();
        int converted = 0, hits = 0;
        var errors = new List<PreparationError>();
        for (var i = 0; i < files.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var relative = root.Relative(files[i]);
            try
            {
                var spectrogram = await catalog.ConvertResolvedFileAsync(root.ResolveFile(relative, "folder"), "folder", force, cancellationToken);
                if (spectrogram.FromCache)
                {
                    hits++;
                }
                else
                {
                    converted++;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One bad file must not cost the rest of the dataset.
                errors.Add(new PreparationError(relative, OneLine(e.Message)));
            }
            var done = i + 1;
            var rate = done / Math.Max(clock.Elapsed.TotalSeconds, 1e-3);
            await onProgress(new DatasetProgress(done, files.Count, hits, relative, rate, TimeSpan.FromSeconds((files.Count - done) / rate)));
        }
        return new DatasetResult(converted, hits, errors, clock.Elapsed);
    }

    private static List<string> FindSpectrograms(string fullFolder, string folder)
    {
        var subfolders = SpectrogramCatalog.SpectrogramFolders.Select(name => Path.Combine(fullFolder, name)).Where(Directory.Exists).ToList();
        if (subfolders.Count == 0)
        {
            throw new RequestRejectedException(Rejection.FailedPrecondition,
                $"folder: '{folder}' has no train_spectrograms/ or test_spectrograms/ (not a Kaggle-format folder)");
        }
        return subfolders
            .SelectMany(subfolder => Directory.EnumerateFiles(subfolder, "*.parquet").Order(StringComparer.Ordinal))
            .ToList();
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}

public sealed record DatasetProgress(int FilesDone, int FilesTotal, int CacheHits, string CurrentFile, double FilesPerSecond, TimeSpan Eta);

public sealed record PreparationError(string File, string Message);

public sealed record DatasetResult(int FilesConverted, int CacheHits, IReadOnlyList<PreparationError> Errors, TimeSpan Elapsed);
