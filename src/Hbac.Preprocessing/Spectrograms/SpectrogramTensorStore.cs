using Hbac.Caching;
using Hbac.Eeg.Spectrograms;
using Hbac.Eeg.Windows;

namespace Hbac.Preprocessing.Spectrograms;

/// <summary><see cref="ISpectrogramTensorStore"/> over <see cref="ITensorCache"/>; computes on a miss or when Redis is down.</summary>
public sealed class SpectrogramTensorStore(ITensorCache cache) : ISpectrogramTensorStore
{
    public async Task<StoredSpectrogram> GetSpectrogramAsync(
        ReadOnlyMemory<byte> parquet, string sourceName, bool refresh = false, CancellationToken cancellationToken = default) =>
        ToSpectrogram(await cache.GetOrConvertSpectrogramAsync(parquet, sourceName, refresh, cancellationToken));

    public async Task<StoredSpectrogram?> TryGetSpectrogramAsync(string contentHash, CancellationToken cancellationToken = default) =>
        await cache.TryGetSpectrogramAsync(contentHash, cancellationToken) is { } cached ? ToSpectrogram(cached) : null;

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

    private static StoredSpectrogram ToSpectrogram(CachedSpectrogram cached) =>
        new(cached.ContentHash, cached.Columns, cached.Tensor.Values, cached.FromCache);
}
