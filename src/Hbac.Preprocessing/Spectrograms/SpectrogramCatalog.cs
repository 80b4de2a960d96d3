using System.Security.Cryptography;
using System.Text;
using Hbac.Caching;
using Hbac.Eeg;
using Hbac.Eeg.Formats;
using Hbac.Eeg.Spectrograms;
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
        RequireUpload(content, "a parquet file", "");
        var name = string.IsNullOrWhiteSpace(fileName) ? "uploaded content" : Path.GetFileName(fileName);
        return store.GetSpectrogramAsync(content, name, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Version of the EEG -> spectrogram computation, hashed into a recording's id: a changed computation makes
    /// new ids instead of serving entries computed the old way.
    /// </summary>
    public const string RecordingSpectrogramVersion = "hbac eeg-spectrogram 1";

    /// <summary>
    /// The Kaggle-layout spectrogram of an EEG recording under the data root (EDF/BDF of any rate, referential or
    /// bipolar, EDF+D; or a Kaggle EEG parquet), read chunk by chunk (<see cref="EegSpectrogram.Compute(ChunkedRecording, Action{double}?, CancellationToken)"/>)
    /// and cached under the SHA-256 of <see cref="RecordingSpectrogramVersion"/> and the file's bytes.
    /// </summary>
    public async Task<StoredSpectrogram> ConvertRecordingFileAsync(string path, CancellationToken cancellationToken)
    {
        var file = root.ResolveFile(path, "path");
        var shown = root.Relative(file);
        RequireRecordingExtension(shown, "path");
        string hash;
        try
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            hash = await RecordingHashAsync(stream, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RequestRejectedException(Rejection.FailedPrecondition, $"path: '{shown}' cannot be read: {e.Message}");
        }
        return await store.GetSpectrogramAsync(hash, ct => Task.Run(() => ComputeRecording(file, shown, ct), ct), cancellationToken: cancellationToken);
    }

    /// <summary>An uploaded recording, its format taken from <paramref name="fileName"/>'s extension.</summary>
    public async Task<StoredSpectrogram> ConvertRecordingUploadAsync(ReadOnlyMemory<byte> content, string fileName, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(fileName ?? "");
        RequireRecordingExtension(name, "file_name");
        RequireUpload(content, "an EDF, BDF or Kaggle EEG parquet file", "; put the file under the data root and send its path");
        using var sha = RecordingHash();
        sha.AppendData(content.Span);
        var hash = Convert.ToHexStringLower(sha.GetHashAndReset());
        return await store.GetSpectrogramAsync(hash, async ct =>
        {
            using var file = await UploadedFile.WriteAsync(name, content, ct);
            return await Task.Run(() => ComputeRecording(file.Path, name, ct), ct);
        }, cancellationToken: cancellationToken);
    }

    private static void RequireRecordingExtension(string name, string field)
    {
        if (!RecordingFiles.Extensions.Contains(Path.GetExtension(name).ToLowerInvariant()))
        {
            throw new RequestRejectedException(Rejection.InvalidArgument,
                $"{field}: '{StatusDetail.Echo(name)}' must end in {string.Join(", ", RecordingFiles.Extensions)} (the recording's format is taken from it)");
        }
    }

    /// <summary>An upload's refusals: empty, or over <see cref="PreprocessingOptions.MaxUploadBytes"/>.</summary>
    private void RequireUpload(ReadOnlyMemory<byte> content, string expected, string overLimitHint)
    {
        if (content.IsEmpty)
        {
            throw new RequestRejectedException(Rejection.InvalidArgument, $"content: empty, expected the bytes of {expected}");
        }
        var limit = options.Value.MaxUploadBytes;
        if (content.Length > limit)
        {
            throw new RequestRejectedException(Rejection.LimitExceeded, $"content: {content.Length} bytes is more than the upload limit of {limit} bytes{overLimitHint}");
        }
    }

    /// <summary>A SHA-256 that has taken in <see cref="RecordingSpectrogramVersion"/>; the file's bytes follow.</summary>
    private static IncrementalHash RecordingHash()
    {
        var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes(RecordingSpectrogramVersion + "\n"));
        return sha;
    }

    private static async Task<string> RecordingHashAsync(Stream content, CancellationToken cancellationToken)
    {
        using var sha = RecordingHash();
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
        {
            sha.AppendData(buffer, 0, read);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>The spectrogram of a recording file; a refusal names <paramref name="shownName"/>, never the server's path.</summary>
    private static (int Columns, float[] Values) ComputeRecording(string file, string shownName, CancellationToken cancellationToken)
    {
        try
        {
            using var recording = ChunkedRecording.Open(file);
            var spectrogram = EegSpectrogram.Compute(recording, cancellationToken: cancellationToken);
            if (spectrogram.Columns == 0)
            {
                throw new EegDataException($"{shownName}: no samples");
            }
            return (spectrogram.Columns, spectrogram.Values);
        }
        catch (EegDataException e) when (e.Message.Contains(file, StringComparison.Ordinal))
        {
            throw new EegDataException(e.Message.Replace(file, shownName, StringComparison.Ordinal), e);
        }
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
                       $"spectrogram_id: no converted spectrogram with content hash {StatusDetail.Echo(id)} in the cache; call ConvertSpectrogram or ConvertRecording first");
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
