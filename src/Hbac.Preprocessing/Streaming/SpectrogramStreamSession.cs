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
/// </summary>
public sealed class SpectrogramStreamSession(double maxSamplesPerSecond, int burstSamples)
{
    private readonly EegSpectrogramStream _stream = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>Columns returned so far (the index of the next one).</summary>
    public int ColumnsEmitted => _stream.ColumnsEmitted;

    /// <summary>The columns completed by this chunk (often none).</summary>
    public Spectrogram Append(EegChunk? chunk)
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
        var interleaved = new float[samples * EegStream.ChannelCount];
        EegChunkSamples.CopyInterleaved(chunk, samples, interleaved);
        return _stream.Append(interleaved, EegStream.ChannelCount);
    }

    /// <summary>The last columns, zero-padded past the end, once the client has sent everything.</summary>
    public Spectrogram Complete() => _stream.Complete();
}
