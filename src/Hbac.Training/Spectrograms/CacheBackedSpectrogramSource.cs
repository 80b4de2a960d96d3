using Hbac.Caching;
using Hbac.Eeg;
using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Spectrograms;
using Hbac.Learning.Training;

namespace Hbac.Training.Spectrograms;

/// <summary>
/// Training windows from a folder of <c>&lt;spectrogram_id&gt;.parquet</c>, read through the shared tensor
/// cache under the preprocessing service's keys (<see cref="SpectrogramCacheKeys.Spectrogram"/> of the
/// SHA-256 of the file's bytes -> [400, T] float32, NaN -> 0): a folder prepared by the preprocessing
/// service is not converted again, and a miss converts the file the same way (<see cref="SpectrogramTensorConversion"/>)
/// and fills the entry for everyone.
/// Without Redis every lookup misses and the file is converted here. The base class keeps each
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
        var key = SpectrogramCacheKeys.Spectrogram(TensorCacheKey.HashContent(content));
        var result = await cache.GetOrCreateAsync(key, token => ConvertAsync(content, path, token), ct).ConfigureAwait(false);
        var tensor = result.Tensor;
        if (!IsSpectrogram(tensor))
        {
            // An entry of another shape under this key is foreign: replace it.
            tensor = await ConvertAsync(content, path, ct).ConfigureAwait(false);
            await cache.TrySetAsync(key, tensor, ct).ConfigureAwait(false);
        }
        else if (result.FromCache)
        {
            Interlocked.Increment(ref _cacheHits);
        }
        var columns = tensor.Shape[1];
        // The cache keeps no times; the Kaggle grid is 1, 3, 5, ... s (only the column count matters to a window).
        var times = new float[columns];
        for (var i = 0; i < columns; i++)
        {
            times[i] = 1 + i * (float)SpectrogramLayout.SecondsPerColumn;
        }
        return new Spectrogram(tensor.Values, times);
    }

    private static async Task<CachedTensor> ConvertAsync(byte[] content, string sourceName, CancellationToken ct)
    {
        var spectrogram = await SpectrogramTensorConversion.ReadAsync(content, sourceName, ct).ConfigureAwait(false);
        return new CachedTensor([SpectrogramLayout.Rows, spectrogram.Columns], spectrogram.Values);
    }

    private static bool IsSpectrogram(CachedTensor tensor) => tensor.Shape is [SpectrogramLayout.Rows, > 0];
}
