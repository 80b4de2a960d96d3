using Hbac.Caching;
using Hbac.Eeg;
using Hbac.Eeg.Spectrograms;
using Hbac.Learning.Training;

namespace Hbac.Training.Spectrograms;

/// <summary>
/// Training windows from a folder of <c>&lt;spectrogram_id&gt;.parquet</c>, read through the shared tensor
/// cache exactly as the preprocessing service fills it (<see cref="SpectrogramTensors"/>): a folder
/// prepared by that service is not converted again, and a miss converts the file and fills the entry for
/// everyone. Without Redis every lookup misses and the file is converted here. The base class keeps each
/// spectrogram in memory for the rest of the run.
/// </summary>
public sealed class CacheBackedSpectrogramSource(string folder, ITensorCache cache, long maxCachedValues = 1L << 29)
    : CachedSpectrogramSource(maxCachedValues)
{
    public string Folder { get; } = folder;

    /// <summary>Spectrograms found in the shared cache so far.</summary>
    public int CacheHits => _cacheHits;
    private int _cacheHits;

    protected override async Task<Spectrogram> LoadAsync(long spectrogramId, CancellationToken ct)
    {
        var path = Path.Combine(Folder, $"{spectrogramId}.parquet");
        if (!File.Exists(path))
        {
            throw EegDataException.InFile(path, $"spectrogram {spectrogramId} not found");
        }
        var content = await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
        var cached = await cache.GetOrConvertSpectrogramAsync(content, path, cancellationToken: ct).ConfigureAwait(false);
        if (cached.FromCache)
        {
            Interlocked.Increment(ref _cacheHits);
        }
        var columns = cached.Columns;
        // The cache keeps no times; the Kaggle grid is 1, 3, 5, ... s (only the column count matters to a window).
        var times = new float[columns];
        for (var i = 0; i < columns; i++)
        {
            times[i] = 1 + i * (float)SpectrogramLayout.SecondsPerColumn;
        }
        return new Spectrogram(cached.Tensor.Values, times);
    }
}
