using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Spectrograms;

namespace Hbac.Caching;

/// <summary>
/// The spectrogram entries of the shared cache as every service reads and fills them (the preprocessing
/// service on conversion, the training service on each run): a parquet file's bytes, hashed, name the
/// entry (<see cref="SpectrogramCacheKeys.Spectrogram"/>); a miss converts the file with
/// <see cref="SpectrogramTensorConversion"/> and fills the entry; an entry of another shape under that key
/// is foreign and replaced. Without Redis every lookup misses and the file is converted.
/// </summary>
public static class SpectrogramTensors
{
    /// <param name="refresh">Convert and overwrite even when the entry exists.</param>
    public static async Task<CachedSpectrogram> GetOrConvertSpectrogramAsync(
        this ITensorCache cache, ReadOnlyMemory<byte> parquet, string sourceName, bool refresh = false, CancellationToken cancellationToken = default)
    {
        var hash = TensorCacheKey.HashContent(parquet.Span);
        var key = SpectrogramCacheKeys.Spectrogram(hash);
        if (!refresh)
        {
            var result = await cache.GetOrCreateAsync(key, ct => ConvertAsync(parquet, sourceName, ct), cancellationToken).ConfigureAwait(false);
            if (IsSpectrogram(result.Tensor))
            {
                return new CachedSpectrogram(hash, result.Tensor, result.FromCache);
            }
        }
        var fresh = await ConvertAsync(parquet, sourceName, cancellationToken).ConfigureAwait(false);
        await cache.TrySetAsync(key, fresh, cancellationToken).ConfigureAwait(false);
        return new CachedSpectrogram(hash, fresh, FromCache: false);
    }

    /// <summary>The entry of a file converted before (by its content hash), or null when it is not cached.</summary>
    public static async Task<CachedSpectrogram?> TryGetSpectrogramAsync(this ITensorCache cache, string contentHash, CancellationToken cancellationToken = default)
    {
        var cached = await cache.TryGetAsync(SpectrogramCacheKeys.Spectrogram(contentHash), cancellationToken).ConfigureAwait(false);
        return cached is null || !IsSpectrogram(cached) ? null : new CachedSpectrogram(contentHash, cached, FromCache: true);
    }

    private static async Task<CachedTensor> ConvertAsync(ReadOnlyMemory<byte> parquet, string sourceName, CancellationToken cancellationToken)
    {
        var spectrogram = await SpectrogramTensorConversion.ReadAsync(parquet, sourceName, cancellationToken).ConfigureAwait(false);
        return new CachedTensor([SpectrogramLayout.Rows, spectrogram.Columns], spectrogram.Values);
    }

    private static bool IsSpectrogram(CachedTensor tensor) => tensor.Shape is [SpectrogramLayout.Rows, > 0];
}

/// <summary>A spectrogram entry: [400, T] float32, NaN -> 0.</summary>
public sealed record CachedSpectrogram(string ContentHash, CachedTensor Tensor, bool FromCache)
{
    public int Columns => Tensor.Shape[1];
}
