using Hbac.Eeg.Spectrograms;

namespace Hbac.Eeg.Formats.Parquet;

/// <summary>
/// The conversion behind the shared spectrogram cache entries (Hbac.Caching.SpectrogramCacheKeys): a Kaggle
/// spectrogram parquet's bytes -> [400, T] with NaN replaced by 0 (the seed's conversion; the window decode
/// then clips it to e^-4 like any small value). Every process that fills those entries (preprocessing,
/// training) converts through here, so they agree; a change must bump the cache's format version.
/// </summary>
public static class SpectrogramTensorConversion
{
    /// <summary>Throws <see cref="EegDataException"/> naming <paramref name="sourceName"/> for an unreadable or empty file, an infinite value or nothing but NaN.</summary>
    public static async Task<Spectrogram> ReadAsync(ReadOnlyMemory<byte> parquet, string sourceName, CancellationToken ct = default)
    {
        await using var stream = new MemoryStream(parquet.ToArray(), writable: false);
        var spectrogram = await SpectrogramParquetReader.ReadAsync(stream, sourceName, ct).ConfigureAwait(false);
        if (spectrogram.Columns == 0)
        {
            throw EegDataException.InFile(sourceName, "no rows, a spectrogram needs at least one 2-second column");
        }
        // What `hbac convert` and predict refuse is refused here too: an infinite power would be cached and
        // clipped into a window that looks real, and an all-NaN file would become a tensor of zeros.
        SpectrogramValues.RequireUsable(spectrogram, sourceName);
        var values = spectrogram.Values;
        for (var i = 0; i < values.Length; i++)
        {
            if (float.IsNaN(values[i]))
            {
                values[i] = 0f;
            }
        }
        return spectrogram;
    }
}
