using System.Diagnostics;
using Hbac.Contracts;
using Hbac.Contracts.Streaming;
using Hbac.Contracts.V1;
using Hbac.Eeg.Spectrograms;
using HbacAspire.ServiceDefaults.Requests;

namespace Hbac.Preprocessing.Streaming;

/// <summary>
/// One StreamSpectrogram call: EEG chunks in (20 channels, 200 Hz, either layout), the spectrogram columns
/// they complete out, bit-identical to <see cref="EegSpectrogram.Compute(Hbac.Eeg.Montage.EegRecording)"/>
/// over the whole signal. Enforces the sustained rate limit (a token bucket in samples per channel).
/// Its memory is fixed whatever the chunks' sizes: the spectrogram stream's frames and one piece buffer,
/// both garbage once the call ends, however it ends.
/// </summary>
public sealed class SpectrogramStreamSession(double maxSamplesPerSecond, int burstSamples)
{
    /// <summary>
    /// Samples per channel decoded at a time: 1000 x 20 floats = 80,000 bytes, under the large-object heap's
    /// 85,000-byte threshold. A chunk is decoded piece by piece into this one buffer, so a big chunk costs
    /// no big or growing per-stream array (which, on the large-object heap, is freed only by a full GC and
    /// fragments it when thousands of streams come and go).
    /// </summary>
    public const int PieceSamples = 1000;

    private readonly EegSpectrogramStream _stream = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly float[] _piece = new float[PieceSamples * EegStream.ChannelCount];

    /// <summary>Columns returned so far (the index of the next one).</summary>
    public int ColumnsEmitted => _stream.ColumnsEmitted;

    /// <summary>
    /// Checks the chunk and the rate limit at once (nothing is appended when either fails), then returns the
    /// columns it completes, in runs with the index of each run's first column (often none).
    /// </summary>
    public IReadOnlyList<(int FirstColumn, Spectrogram Columns)> Append(EegChunk? chunk)
    {
        if (chunk is null)
        {
            throw new RequestRejectedException(Rejection.InvalidArgument, "chunk: required");
        }
        int samples;
        try
        {
            samples = EegChunkSamples.Count(chunk);
        }
        catch (InvalidEegChunkException e)
        {
            throw new RequestRejectedException(Rejection.InvalidArgument, e.Message);
        }
        var allowed = burstSamples + maxSamplesPerSecond * _clock.Elapsed.TotalSeconds;
        if (_stream.SamplesReceived + samples > allowed)
        {
            throw new RequestRejectedException(Rejection.LimitExceeded,
                $"chunk: the stream exceeds the limit of {maxSamplesPerSecond} samples per second (after a burst of {burstSamples} samples)");
        }
        var runs = new List<(int, Spectrogram)>();
        for (var start = 0; start < samples; start += PieceSamples)
        {
            var count = Math.Min(PieceSamples, samples - start);
            CopyInterleaved(chunk, samples, start, count, _piece);
            var first = _stream.ColumnsEmitted;
            var columns = _stream.Append(_piece.AsSpan(0, count * EegStream.ChannelCount), EegStream.ChannelCount);
            if (columns.Columns > 0)
            {
                runs.Add((first, columns));
            }
        }
        return runs;
    }

    /// <summary>The last columns, zero-padded past the end, once the client has sent everything.</summary>
    public (int FirstColumn, Spectrogram Columns) Complete()
    {
        var first = _stream.ColumnsEmitted;
        return (first, _stream.Complete());
    }

    /// <summary>Samples [start, start + count) of every channel, interleaved, into the front of <paramref name="destination"/>.</summary>
    private static void CopyInterleaved(EegChunk chunk, int samples, int start, int count, float[] destination)
    {
        const int channels = EegStream.ChannelCount;
        var source = chunk.Samples;
        if (chunk.Layout == SampleLayout.Interleaved)
        {
            var offset = start * channels;
            for (var i = 0; i < count * channels; i++)
            {
                destination[i] = source[offset + i];
            }
            return;
        }
        for (var c = 0; c < channels; c++)
        {
            for (var s = 0; s < count; s++)
            {
                destination[s * channels + c] = source[c * samples + start + s];
            }
        }
    }
}
