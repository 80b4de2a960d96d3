using System.Collections.Concurrent;
using Hbac.Caching;
using Hbac.Eeg;
using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Windows;
using Hbac.Inference.Extensions;
using Microsoft.Extensions.Options;
using HbacAspire.ServiceDefaults.Requests;

namespace Hbac.Inference.Scoring;

/// <summary>A spectrogram id that names no file under the data root (NotFound).</summary>
public sealed class SpectrogramNotFoundException(string id)
    : Exception($"window.spectrogram_id: no spectrogram '{StatusDetail.Echo(id)}' under train_spectrograms/ or test_spectrograms/");

/// <summary>A request field with a bad value (InvalidArgument); the message starts with the field.</summary>
public sealed class InvalidRequestException(string message) : Exception(message);

/// <summary>The server cannot do this with its configuration or data (FailedPrecondition).</summary>
public sealed class ScoringUnavailableException(string message) : Exception(message);

/// <summary>Model inputs for (spectrogram id, offset), read through the tensor cache.</summary>
public interface ISpectrogramWindowSource
{
    Task<float[]> GetWindowAsync(string spectrogramId, double offsetSeconds, CancellationToken cancellationToken = default);
}

/// <summary>
/// Reads <c>&lt;data root&gt;/{train,test}_spectrograms/&lt;id&gt;.parquet</c>, decodes the window with
/// <see cref="SpectrogramWindow.Decode(Hbac.Eeg.Spectrograms.Spectrogram, double)"/> and caches the
/// [3,400,300] result under the file's content hash and the offset snapped to the 2-s column grid. The id may only be a file name
/// stem (letters, digits, '-', '_'), so a request can never reach outside the data root.
/// </summary>
public sealed class SpectrogramWindowSource(ITensorCache cache, IOptions<InferenceOptions> options) : ISpectrogramWindowSource
{
    private static readonly string[] Folders = ["train_spectrograms", "test_spectrograms"];

    private readonly ConcurrentDictionary<string, (long Length, DateTime Written, string Hash)> _hashes = new(StringComparer.Ordinal);

    public async Task<float[]> GetWindowAsync(string spectrogramId, double offsetSeconds, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(spectrogramId) || spectrogramId.Length > 128
            || !spectrogramId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new InvalidRequestException($"window.spectrogram_id: '{StatusDetail.Echo(spectrogramId)}' is not a spectrogram id (letters, digits, '-', '_')");
        }
        if (!double.IsFinite(offsetSeconds) || offsetSeconds < 0)
        {
            throw new InvalidRequestException($"window.offset_seconds: {offsetSeconds} must be a finite number >= 0");
        }
        var root = options.Value.DataRoot;
        if (string.IsNullOrWhiteSpace(root))
        {
            throw new ScoringUnavailableException("window: this server has no data root (Hbac:DataRoot); send a tensor instead");
        }
        var path = Folders.Select(f => Path.Combine(Path.GetFullPath(root), f, spectrogramId + ".parquet")).FirstOrDefault(File.Exists)
            ?? throw new SpectrogramNotFoundException(spectrogramId);
        var startColumn = SpectrogramWindow.StartColumn(offsetSeconds);
        var key = SpectrogramCacheKeys.Window(await HashAsync(path, cancellationToken), startColumn * 2L);
        var result = await cache.GetOrCreateAsync(key, async ct =>
        {
            var spectrogram = await ReadAsync(path, ct);
            if (startColumn >= spectrogram.Columns)
            {
                throw new InvalidRequestException(
                    $"window.offset_seconds: {offsetSeconds} s is past the end of spectrogram '{spectrogramId}' ({spectrogram.Columns * 2} s)");
            }
            return new CachedTensor([SpectrogramWindow.Channels, SpectrogramWindow.Rows, SpectrogramWindow.Columns], SpectrogramWindow.Decode(spectrogram, offsetSeconds));
        }, cancellationToken);
        return result.Tensor.Values;
    }

    private static async Task<Hbac.Eeg.Spectrograms.Spectrogram> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = File.OpenRead(path);
            return Hbac.Eeg.Spectrograms.SpectrogramValues.RequireUsable(await SpectrogramParquetReader.ReadAsync(stream, path, cancellationToken), path);
        }
        catch (EegDataException e)
        {
            throw new ScoringUnavailableException($"window.spectrogram_id: the server's file is unreadable ({e.Message})");
        }
    }

    /// <summary>Content hash, recomputed only when the file's size or write time changes.</summary>
    private async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        var info = new FileInfo(path);
        if (_hashes.TryGetValue(path, out var known) && known.Length == info.Length && known.Written == info.LastWriteTimeUtc)
        {
            return known.Hash;
        }
        var hash = await TensorCacheKey.HashFileAsync(path, cancellationToken);
        _hashes[path] = (info.Length, info.LastWriteTimeUtc, hash);
        return hash;
    }
}
