using Hbac.Caching;
using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Spectrograms;
using Hbac.Eeg.Windows;

namespace Hbac.Preprocessing.Spectrograms;

/// <summary><see cref="ISpectrogramTensorStore"/> over <see cref="ITensorCache"/>; computes on a miss or when Redis is down.</summary>
public sealed class SpectrogramTensorStore(ITensorCache cache) : ISpectrogramTensorStore
{
    public async Task<StoredSpectrogram> GetSpectrogramAsync(
        ReadOnlyMemory<byte> parquet, string sourceName, bool refresh = false, CancellationToken cancellationToken = default)
    {
        var hash = TensorCacheKey.HashContent(parquet.Span);
        var key = SpectrogramCacheKeys.Spectrogram(hash);
        if (!refresh)
        {
            var result = await cache.GetOrCreateAsync(key, ct => ConvertAsync(parquet, sourceName, ct), cancellationToken);
            // An entry of another shape under this key is foreign: replace it.
            if (IsSpectrogramShape(result.Tensor))
            {
                return ToSpectrogram(hash, result.Tensor, result.FromCache);
            }
        }
        var fresh = await ConvertAsync(parquet, sourceName, cancellationToken);
        await cache.TrySetAsync(key, fresh, cancellationToken);
        return ToSpectrogram(hash, fresh, fromCache: false);
    }

    public async Task<StoredSpectrogram?> TryGetSpectrogramAsync(string contentHash, CancellationToken cancellationToken = default)
    {
        var cached = await cache.TryGetAsync(SpectrogramCacheKeys.Spectrogram(contentHash), cancellationToken);
        return cached is null || !IsSpectrogramShape(cached) ? null : ToSpectrogram(contentHash, cached, fromCache: true);
    }

    public async Task<StoredWindow> GetWindowAsync(StoredSpectrogram spectrogram, double offsetSeconds, CancellationToken cancellationToken = default)
    {
        var start = SpectrogramWindow.StartColumn(offsetSeconds);
        if (start >= spectrogram.Columns)
        {
            throw new ArgumentOutOfRangeException(nameof(offsetSeconds), offsetSeconds,
                $"the recording has {spectrogram.Columns} columns ({spectrogram.DurationSeconds} s); the window must start inside it");
        }
        var snapped = start * SpectrogramLayout.SecondsPerColumn;
        var result = await cache.GetOrCreateAsync(
            SpectrogramCacheKeys.Window(spectrogram.ContentHash, snapped),
            _ => Task.FromResult(new CachedTensor(
                [SpectrogramWindow.Channels, SpectrogramWindow.Rows, SpectrogramWindow.Columns],
                SpectrogramWindow.Decode(spectrogram.Values, spectrogram.Columns, snapped))),
            cancellationToken);
        return new StoredWindow(result.Tensor.Values, snapped, result.FromCache);
    }

    private static async Task<CachedTensor> ConvertAsync(ReadOnlyMemory<byte> parquet, string sourceName, CancellationToken cancellationToken)
    {
        var spectrogram = await SpectrogramTensorConversion.ReadAsync(parquet, sourceName, cancellationToken);
        return new CachedTensor([SpectrogramLayout.Rows, spectrogram.Columns], spectrogram.Values);
    }

    private static bool IsSpectrogramShape(CachedTensor tensor) =>
        tensor.Shape is [SpectrogramLayout.Rows, > 0];

    private static StoredSpectrogram ToSpectrogram(string hash, CachedTensor tensor, bool fromCache) =>
        new(hash, tensor.Shape[1], tensor.Values, fromCache);
}
