namespace Hbac.Preprocessing.Spectrograms;

/// <summary>
/// Spectrogram tensors and model windows, read through the shared Redis tensor cache. The key scheme
/// (see <see cref="SpectrogramCacheKeys"/>) and the encoding (Hbac.Caching.TensorEncoding) are the
/// contract: any process using the same keys (training, inference) shares the entries. A conversion is
/// guarded by a claim on its key (Hbac.Caching.IConversionClaims), so converters sharing the Redis
/// convert each file once.
/// </summary>
public interface ISpectrogramTensorStore
{
    /// <summary>
    /// Converts a Kaggle spectrogram parquet's bytes to a [400, T] tensor (NaN -> 0), from the cache when
    /// present. When another converter holds the file's claim, waits for its entry instead of converting
    /// again (the result is then <see cref="StoredSpectrogram.FromCache"/>). <paramref name="refresh"/>
    /// recomputes and overwrites a cached entry. Throws <see cref="Hbac.Eeg.EegDataException"/> naming
    /// <paramref name="sourceName"/> for an unreadable file.
    /// </summary>
    Task<StoredSpectrogram> GetSpectrogramAsync(
        ReadOnlyMemory<byte> parquet, string sourceName, bool refresh = false, CancellationToken cancellationToken = default);

    /// <summary>
    /// The spectrogram cached under <paramref name="contentHash"/>, or <paramref name="convert"/>'s, stored there: how
    /// an EEG recording's spectrogram is kept (its id hashes the file and the computation's version). Waits for
    /// another converter holding the key's claim as <see cref="GetSpectrogramAsync(ReadOnlyMemory{byte}, string, bool, CancellationToken)"/> does.
    /// </summary>
    Task<StoredSpectrogram> GetSpectrogramAsync(
        string contentHash, SpectrogramConverter convert, bool refresh = false, CancellationToken cancellationToken = default);

    /// <summary>
    /// Like <see cref="GetSpectrogramAsync(ReadOnlyMemory{byte}, string, bool, CancellationToken)"/> but never waits: a file whose claim another converter holds comes
    /// back as <see cref="ConversionOutcome.HeldElsewhere"/> (follow it with <see cref="CheckClaimedAsync"/>).
    /// </summary>
    Task<SpectrogramConversion> ConvertUnlessClaimedAsync(
        ReadOnlyMemory<byte> parquet, string sourceName, bool refresh = false, CancellationToken cancellationToken = default);

    /// <summary>Where a file that was <see cref="ConversionOutcome.HeldElsewhere"/> stands now, by its content hash.</summary>
    Task<Hbac.Caching.ClaimedKeyState> CheckClaimedAsync(string contentHash, CancellationToken cancellationToken = default);

    /// <summary>A previously converted spectrogram by its content hash; null when the cache does not hold it.</summary>
    Task<StoredSpectrogram?> TryGetSpectrogramAsync(string contentHash, CancellationToken cancellationToken = default);

    /// <summary>
    /// The normalised [3, 400, 300] model input at <paramref name="offsetSeconds"/> (snapped to the 2-s column
    /// grid), from the window cache when present. Throws <see cref="ArgumentOutOfRangeException"/> when the
    /// offset is negative, not finite, or past the recording's end.
    /// </summary>
    Task<StoredWindow> GetWindowAsync(StoredSpectrogram spectrogram, double offsetSeconds, CancellationToken cancellationToken = default);
}

/// <summary>Computes a [400, Columns] row-major spectrogram (NaN replaced by 0) on a cache miss.</summary>
public delegate Task<(int Columns, float[] Values)> SpectrogramConverter(CancellationToken cancellationToken);

/// <summary>A [400, <see cref="Columns"/>] row-major spectrogram with NaN replaced by 0.</summary>
public sealed record StoredSpectrogram(string ContentHash, int Columns, float[] Values, bool FromCache)
{
    public double DurationSeconds => Columns * Hbac.Eeg.Spectrograms.SpectrogramLayout.SecondsPerColumn;
}

/// <summary>A [3, 400, 300] model input cut at <see cref="OffsetSeconds"/>.</summary>
public sealed record StoredWindow(float[] Values, double OffsetSeconds, bool FromCache);

public enum ConversionOutcome
{
    /// <summary>The entry was in the cache.</summary>
    Cached,

    /// <summary>Converted here under this caller's claim.</summary>
    Converted,

    /// <summary>Converted here without a claim because Redis was unreachable (others may have converted it too).</summary>
    ConvertedWithoutClaim,

    /// <summary>Not converted: another converter holds the claim.</summary>
    HeldElsewhere,
}

/// <summary>What <see cref="ISpectrogramTensorStore.ConvertUnlessClaimedAsync"/> did; <see cref="Spectrogram"/> is null only when HeldElsewhere.</summary>
public sealed record SpectrogramConversion(ConversionOutcome Outcome, string ContentHash, StoredSpectrogram? Spectrogram, bool Stored);
