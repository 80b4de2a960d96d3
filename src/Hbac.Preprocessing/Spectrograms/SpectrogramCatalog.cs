using Hbac.Caching;
using HbacAspire.ServiceDefaults.Requests;
using Microsoft.Extensions.Options;

namespace Hbac.Preprocessing.Spectrograms;

/// <summary>
/// Finds the spectrogram a request names - a path under the data root, uploaded bytes, a Kaggle
/// spectrogram id or a content hash - and reads it through the tensor store. Refusals are
/// <see cref="RequestRejectedException"/>s naming the request field.
/// </summary>
public sealed class SpectrogramCatalog(DataRoot root, ISpectrogramTensorStore store, IOptions<PreprocessingOptions> options)
{
    /// <summary>Where a Kaggle-format folder keeps its spectrograms, searched in this order for an id.</summary>
    public static IReadOnlyList<string> SpectrogramFolders { get; } = ["train_spectrograms", "test_spectrograms"];

    public async Task<StoredSpectrogram> ConvertFileAsync(string path, bool refresh, CancellationToken cancellationToken) =>
        await ConvertResolvedFileAsync(root.ResolveFile(path, "path"), "path", refresh, cancellationToken);

    public Task<StoredSpectrogram> ConvertUploadAsync(ReadOnlyMemory<byte> content, string fileName, CancellationToken cancellationToken)
    {
        if (content.IsEmpty)
        {
            throw new RequestRejectedException(Rejection.InvalidArgument, "content: empty, expected the bytes of a parquet file");
        }
        var limit = options.Value.MaxUploadBytes;
        if (content.Length > limit)
        {
            throw new RequestRejectedException(Rejection.LimitExceeded, $"content: {content.Length} bytes is more than the upload limit of {limit} bytes");
        }
        var name = string.IsNullOrWhiteSpace(fileName) ? "uploaded content" : Path.GetFileName(fileName);
        return store.GetSpectrogramAsync(content, name, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// A spectrogram by id: digits are a Kaggle spectrogram id (train_spectrograms/ or test_spectrograms/ under
    /// the data root), 64 hex digits the content hash ConvertSpectrogram returned (looked up in the cache).
    /// </summary>
    public async Task<StoredSpectrogram> FindAsync(string id, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(id))
        {
            throw new RequestRejectedException(Rejection.InvalidArgument, "spectrogram_id: required");
        }
        if (SpectrogramCacheKeys.IsContentHash(id))
        {
            return await store.TryGetSpectrogramAsync(id, cancellationToken)
                   ?? throw new RequestRejectedException(Rejection.NotFound,
                       $"spectrogram_id: no converted spectrogram with content hash {StatusDetail.Echo(id)} in the cache; call ConvertSpectrogram first");
        }
        if (id.Length > 20 || !id.All(char.IsAsciiDigit))
        {
            throw new RequestRejectedException(Rejection.InvalidArgument,
                $"spectrogram_id: '{StatusDetail.Echo(id)}' is neither a Kaggle spectrogram id (digits) nor a content hash (64 lowercase hex digits)");
        }
        foreach (var folder in SpectrogramFolders)
        {
            var candidate = folder + "/" + id + ".parquet";
            if (File.Exists(Path.Combine(root.FullPath, candidate)))
            {
                return await ConvertResolvedFileAsync(root.ResolveFile(candidate, "spectrogram_id"), "spectrogram_id", refresh: false, cancellationToken);
            }
        }
        throw new RequestRejectedException(Rejection.NotFound,
            $"spectrogram_id: no train_spectrograms/{StatusDetail.Echo(id)}.parquet or test_spectrograms/{StatusDetail.Echo(id)}.parquet under the data root");
    }

    public async Task<StoredWindow> GetWindowAsync(string id, double offsetSeconds, CancellationToken cancellationToken)
    {
        if (!double.IsFinite(offsetSeconds) || offsetSeconds < 0)
        {
            throw new RequestRejectedException(Rejection.InvalidArgument, $"offset_seconds: {offsetSeconds} must be a finite number >= 0");
        }
        var spectrogram = await FindAsync(id, cancellationToken);
        try
        {
            return await store.GetWindowAsync(spectrogram, offsetSeconds, cancellationToken);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new RequestRejectedException(Rejection.InvalidArgument,
                $"offset_seconds: {offsetSeconds} s is past the end of the recording ({spectrogram.DurationSeconds} s)");
        }
    }

    /// <summary>A file already resolved (and confined) by <see cref="DataRoot"/>; <paramref name="field"/> names it in errors.</summary>
    internal async Task<StoredSpectrogram> ConvertResolvedFileAsync(string fullPath, string field, bool refresh, CancellationToken cancellationToken) =>
        await store.GetSpectrogramAsync(await ReadAsync(fullPath, field, cancellationToken), root.Relative(fullPath), refresh, cancellationToken);

    /// <summary>
    /// A resolved file converted unless it is cached or another converter holds its claim (then
    /// <see cref="ConversionOutcome.HeldElsewhere"/>: follow it with <see cref="CheckClaimedAsync"/>).
    /// </summary>
    internal async Task<SpectrogramConversion> ConvertUnlessClaimedAsync(string fullPath, string field, bool refresh, CancellationToken cancellationToken) =>
        await store.ConvertUnlessClaimedAsync(await ReadAsync(fullPath, field, cancellationToken), root.Relative(fullPath), refresh, cancellationToken);

    internal Task<ClaimedKeyState> CheckClaimedAsync(string contentHash, CancellationToken cancellationToken) =>
        store.CheckClaimedAsync(contentHash, cancellationToken);

    private async Task<byte[]> ReadAsync(string fullPath, string field, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllBytesAsync(fullPath, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RequestRejectedException(Rejection.FailedPrecondition, $"{field}: '{root.Relative(fullPath)}' cannot be read: {e.Message}");
        }
    }
}
