using System.Diagnostics;
using Hbac.Caching;
using Hbac.Preprocessing.Spectrograms;
using HbacAspire.ServiceDefaults.Requests;
using Microsoft.Extensions.Options;

namespace Hbac.Preprocessing.Datasets;

/// <summary>
/// Fills the tensor cache with every spectrogram of a Kaggle-format folder (train_spectrograms/ and
/// test_spectrograms/). A file that cannot be converted is recorded and the others still are.
/// Several preparations of one folder (replicas, or calls on one service) share the work through the
/// per-file claims of <see cref="IConversionClaims"/>: each converts the files nobody holds, starting
/// at a different place in the list, skips the ones another holds and then waits for those to appear
/// in the cache (or takes one over when its holder's claim expired), so every file is converted once
/// and every preparation ends knowing the whole dataset is done.
/// </summary>
public sealed class DatasetPreparer(DataRoot root, SpectrogramCatalog catalog, IConversionClaims claims, IOptions<TensorCacheOptions> cacheOptions)
{
    /// <param name="folder">Relative to the data root.</param>
    /// <param name="maxFiles">At most this many files (in name order); 0 = all.</param>
    /// <param name="force">Recompute files that are already cached.</param>
    /// <param name="onProgress">Called after every file this call visits or sees finished by another, and every second while it only waits.</param>
    public async Task<DatasetResult> PrepareAsync(
        string folder, int maxFiles, bool force, Func<DatasetProgress, Task> onProgress, CancellationToken cancellationToken)
    {
        if (maxFiles < 0)
        {
            throw new RequestRejectedException(Rejection.InvalidArgument, $"max_files: {maxFiles} must be >= 0 (0 = all)");
        }
        var fullFolder = root.ResolveDirectory(folder, "folder");
        var files = FindSpectrograms(fullFolder, folder);
        if (maxFiles > 0)
        {
            files = files.Take(maxFiles).ToList();
        }

        var clock = Stopwatch.StartNew();
        var tally = new Tally(files.Count);
        var waiting = new List<(string Relative, string ContentHash)>();
        // Preparations of the same files running at once start at different places, so they rarely reach for the same file.
        await using var participation = await claims.JoinAsync($"{root.Relative(fullFolder)}|{maxFiles}", cancellationToken);
        var start = StartIndex(participation.Index, files.Count);
        for (var step = 0; step < files.Count; step++)
        {
            var relative = root.Relative(files[(start + step) % files.Count]);
            if (await TryConvertAsync(relative, force, tally, cancellationToken) is { } heldElsewhere)
            {
                waiting.Add((relative, heldElsewhere));
            }
            await onProgress(tally.Progress(relative, waiting.Count, clock.Elapsed));
        }

        var lastReport = clock.Elapsed;
        while (waiting.Count > 0)
        {
            await Task.Delay(cacheOptions.Value.ClaimPollInterval, cancellationToken);
            if (clock.Elapsed - lastReport >= WaitingReportInterval)
            {
                // Waiting for a holder that died can take a claim's whole TTL: say so rather than fall silent.
                await onProgress(tally.Progress(waiting[0].Relative, waiting.Count, clock.Elapsed));
                lastReport = clock.Elapsed;
            }
            foreach (var file in waiting.ToList())
            {
                var state = await catalog.CheckClaimedAsync(file.ContentHash, cancellationToken);
                if (state == ClaimedKeyState.Claimed)
                {
                    continue;
                }
                if (state == ClaimedKeyState.Stored)
                {
                    tally.ConvertedElsewhere++;
                }
                // Abandoned (the holder failed, or died and its claim expired) or Redis gone: claim it again.
                else if (await TryConvertAsync(file.Relative, force: false, tally, cancellationToken, waitedFor: true) is not null)
                {
                    continue; // someone else took it over first
                }
                waiting.Remove(file);
                await onProgress(tally.Progress(file.Relative, waiting.Count, clock.Elapsed));
                lastReport = clock.Elapsed;
            }
        }
        return tally.Result(clock.Elapsed);
    }

    /// <summary>While it only waits for files others hold, a call still reports progress this often.</summary>
    private static readonly TimeSpan WaitingReportInterval = TimeSpan.FromSeconds(1);

    /// <summary>Converts one file unless it is cached or held elsewhere; its content hash when held elsewhere, else null.</summary>
    private async Task<string?> TryConvertAsync(string relative, bool force, Tally tally, CancellationToken cancellationToken, bool waitedFor = false)
    {
        try
        {
            var conversion = await catalog.ConvertUnlessClaimedAsync(root.ResolveFile(relative, "folder"), "folder", force, cancellationToken);
            switch (conversion.Outcome)
            {
                case ConversionOutcome.HeldElsewhere:
                    return conversion.ContentHash;
                case ConversionOutcome.Cached when waitedFor:
                    tally.ConvertedElsewhere++;
                    break;
                case ConversionOutcome.Cached:
                    tally.CacheHits++;
                    break;
                default:
                    tally.Converted++;
                    tally.ConvertedWithoutClaim += conversion.Outcome == ConversionOutcome.ConvertedWithoutClaim ? 1 : 0;
                    tally.NotStored += conversion.Stored ? 0 : 1;
                    break;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // One bad file must not cost the rest of the dataset.
            tally.Errors.Add(new PreparationError(relative, OneLine(e.Message)));
        }
        return null;
    }

    /// <summary>
    /// Where the <paramref name="index"/>-th preparation running at once starts: 0, 1/2, 1/4, 3/4, 1/8, ... of
    /// the list (the base-2 van der Corput sequence), so any number of them start evenly spread.
    /// </summary>
    internal static int StartIndex(int index, int count)
    {
        double fraction = 0, unit = 0.5;
        for (var rest = index; rest > 0; rest >>= 1, unit /= 2)
        {
            fraction += (rest & 1) * unit;
        }
        return count == 0 ? 0 : (int)(fraction * count) % count;
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

    /// <summary>What one preparation has seen so far.</summary>
    private sealed class Tally(int total)
    {
        public int Converted;
        public int ConvertedWithoutClaim;
        public int NotStored;
        public int CacheHits;
        public int ConvertedElsewhere;
        public readonly List<PreparationError> Errors = [];

        private int Done => Converted + CacheHits + ConvertedElsewhere + Errors.Count;

        public DatasetProgress Progress(string currentFile, int waiting, TimeSpan elapsed)
        {
            var rate = Done / Math.Max(elapsed.TotalSeconds, 1e-3);
            return new DatasetProgress(Done, total, CacheHits, currentFile, rate,
                rate > 0 ? TimeSpan.FromSeconds((total - Done) / rate) : TimeSpan.Zero,
                Converted, ConvertedElsewhere, waiting, Errors.Count);
        }

        public DatasetResult Result(TimeSpan elapsed) =>
            new(Converted, CacheHits, Errors, elapsed, total, ConvertedElsewhere, ConvertedWithoutClaim,
                Complete: Errors.Count == 0 && NotStored == 0);
    }
}

/// <param name="FilesDone">Files of the whole dataset this call knows are done: converted here or by another converter, found cached, or failed.</param>
/// <param name="FilesWaiting">Files another converter holds that this call waits for.</param>
public sealed record DatasetProgress(
    int FilesDone, int FilesTotal, int CacheHits, string CurrentFile, double FilesPerSecond, TimeSpan Eta,
    int FilesConverted = 0, int FilesConvertedElsewhere = 0, int FilesWaiting = 0, int FilesFailed = 0);

public sealed record PreparationError(string File, string Message);

/// <param name="Complete">Every file's tensor is in the cache (none failed, every conversion was stored).</param>
public sealed record DatasetResult(
    int FilesConverted, int CacheHits, IReadOnlyList<PreparationError> Errors, TimeSpan Elapsed,
    int FilesTotal = 0, int FilesConvertedElsewhere = 0, int FilesConvertedWithoutClaim = 0, bool Complete = false);
