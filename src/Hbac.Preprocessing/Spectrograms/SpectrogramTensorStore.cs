using System.Diagnostics.Metrics;
using Hbac.Caching;
using Hbac.Contracts;
using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Spectrograms;
using Hbac.Eeg.Windows;

namespace Hbac.Preprocessing.Spectrograms;

/// <summary>
/// <see cref="ISpectrogramTensorStore"/> over <see cref="ITensorCache"/>; computes on a miss or when Redis is
/// down. A miss is converted under the key's claim (<see cref="IConversionClaims"/>), so a file missed by
/// several converters at once is converted by one of them; conversions are counted on the Hbac meter
/// (<see cref="HbacInstruments.SpectrogramConversions"/>).
/// </summary>
public sealed class SpectrogramTensorStore : ISpectrogramTensorStore
{
    private readonly ITensorCache _cache;
    private readonly IConversionClaims _claims;
    private readonly TimeSpan _pollInterval;
    private readonly Counter<long>? _conversions;

    /// <param name="claims">Null: no coordination (every conversion is unguarded).</param>
    /// <param name="meterFactory">Null: conversions are not counted.</param>
    public SpectrogramTensorStore(
        ITensorCache cache, IConversionClaims? claims = null, IMeterFactory? meterFactory = null, TimeSpan? pollInterval = null)
    {
        _cache = cache;
        _claims = claims ?? NoConversionClaims.Instance;
        _pollInterval = pollInterval ?? TimeSpan.FromMilliseconds(100);
        _conversions = meterFactory?.Create(HbacInstruments.MeterName)
            .CreateCounter<long>(HbacInstruments.SpectrogramConversions, "{file}", "Spectrogram files converted (cache misses not left to another converter)");
    }

    public Task<StoredSpectrogram> GetSpectrogramAsync(
        ReadOnlyMemory<byte> parquet, string sourceName, bool refresh = false, CancellationToken cancellationToken = default) =>
        GetSpectrogramAsync(TensorCacheKey.HashContent(parquet.Span), ct => ReadParquetAsync(parquet, sourceName, ct), refresh, cancellationToken);

    public async Task<StoredSpectrogram> GetSpectrogramAsync(
        string contentHash, SpectrogramConverter convert, bool refresh = false, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var conversion = await ConvertUnlessClaimedAsync(contentHash, convert, refresh, cancellationToken);
            if (conversion.Spectrogram is { } spectrogram)
            {
                return spectrogram;
            }
            // Another converter has it: wait for its entry, or until its claim is gone without one (it failed, or died
            // and the claim expired), then try again - which finds the entry or takes the claim over.
            ClaimedKeyState state;
            while ((state = await CheckClaimedAsync(conversion.ContentHash, cancellationToken)) == ClaimedKeyState.Claimed)
            {
                await Task.Delay(_pollInterval, cancellationToken);
            }
            if (state == ClaimedKeyState.Stored && await TryGetSpectrogramAsync(conversion.ContentHash, cancellationToken) is { } stored)
            {
                return stored;
            }
            refresh = false;
        }
    }

    public Task<SpectrogramConversion> ConvertUnlessClaimedAsync(
        ReadOnlyMemory<byte> parquet, string sourceName, bool refresh = false, CancellationToken cancellationToken = default) =>
        ConvertUnlessClaimedAsync(TensorCacheKey.HashContent(parquet.Span), ct => ReadParquetAsync(parquet, sourceName, ct), refresh, cancellationToken);

    private static async Task<(int Columns, float[] Values)> ReadParquetAsync(ReadOnlyMemory<byte> parquet, string sourceName, CancellationToken ct)
    {
        var converted = await SpectrogramTensorConversion.ReadAsync(parquet, sourceName, ct);
        return (converted.Columns, converted.Values);
    }

    private async Task<SpectrogramConversion> ConvertUnlessClaimedAsync(
        string hash, SpectrogramConverter convert, bool refresh, CancellationToken cancellationToken)
    {
        var key = SpectrogramCacheKeys.Spectrogram(hash);
        if (!refresh && await TryGetSpectrogramAsync(hash, cancellationToken) is { } cached)
        {
            return new SpectrogramConversion(ConversionOutcome.Cached, hash, cached, Stored: true);
        }
        await using var claim = await _claims.TryClaimAsync(key, cancellationToken);
        if (claim.State == ClaimState.HeldElsewhere)
        {
            return new SpectrogramConversion(ConversionOutcome.HeldElsewhere, hash, null, Stored: false);
        }
        // The last holder may have stored the entry and released between the lookup above and this claim.
        if (!refresh && claim.State == ClaimState.Held && await TryGetSpectrogramAsync(hash, cancellationToken) is { } storedMeanwhile)
        {
            return new SpectrogramConversion(ConversionOutcome.Cached, hash, storedMeanwhile, Stored: true);
        }
        var converted = await convert(cancellationToken);
        _conversions?.Add(1);
        var tensor = new CachedTensor([SpectrogramLayout.Rows, converted.Columns], converted.Values);
        // Stored before the claim is released (at the end of this scope), so a waiter sees the entry, not an abandoned key.
        var stored = await _cache.TrySetAsync(key, tensor, cancellationToken);
        return new SpectrogramConversion(
            claim.State == ClaimState.Held ? ConversionOutcome.Converted : ConversionOutcome.ConvertedWithoutClaim,
            hash, new StoredSpectrogram(hash, converted.Columns, converted.Values, FromCache: false), stored);
    }

    public Task<ClaimedKeyState> CheckClaimedAsync(string contentHash, CancellationToken cancellationToken = default) =>
        _claims.CheckAsync(SpectrogramCacheKeys.Spectrogram(contentHash), cancellationToken);

    public async Task<StoredSpectrogram?> TryGetSpectrogramAsync(string contentHash, CancellationToken cancellationToken = default) =>
        await _cache.TryGetSpectrogramAsync(contentHash, cancellationToken) is { } cached ? ToSpectrogram(cached) : null;

    public async Task<StoredWindow> GetWindowAsync(StoredSpectrogram spectrogram, double offsetSeconds, CancellationToken cancellationToken = default)
    {
        var start = SpectrogramWindow.StartColumn(offsetSeconds);
        if (start >= spectrogram.Columns)
        {
            throw new ArgumentOutOfRangeException(nameof(offsetSeconds), offsetSeconds,
                $"the recording has {spectrogram.Columns} columns ({spectrogram.DurationSeconds} s); the window must start inside it");
        }
        var snapped = start * SpectrogramLayout.SecondsPerColumn;
        var result = await _cache.GetOrCreateAsync(
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
