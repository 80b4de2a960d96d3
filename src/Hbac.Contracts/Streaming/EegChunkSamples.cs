using Hbac.Contracts.V1;

namespace Hbac.Contracts.Streaming;

/// <summary>
/// Reads the samples of an <see cref="EegChunk"/> whatever its layout: every service that takes streamed
/// EEG validates and decodes chunks here, so the contract is checked the same way everywhere.
/// </summary>
public static class EegChunkSamples
{
    /// <summary>Samples per channel in a chunk; throws naming the field when the chunk breaks the contract.</summary>
    public static int Count(EegChunk chunk, int channels = EegStream.ChannelCount)
    {
        if (chunk.Layout is not (SampleLayout.Interleaved or SampleLayout.ChannelMajor))
        {
            throw new InvalidEegChunkException($"chunk.layout: {chunk.Layout} is not a layout; set INTERLEAVED or CHANNEL_MAJOR");
        }
        if (chunk.Samples.Count == 0)
        {
            throw new InvalidEegChunkException("chunk.samples: empty; a chunk holds at least one sample of every channel");
        }
        if (chunk.Samples.Count % channels != 0)
        {
            throw new InvalidEegChunkException(
                $"chunk.samples: {chunk.Samples.Count} values is not a multiple of {channels} channels");
        }
        var count = chunk.Samples.Count / channels;
        CheckValues(chunk, count, channels);
        return count;
    }

    /// <summary>
    /// Every sample is a microvolt value within +-<see cref="EegStream.MaxAbsMicrovolts"/> or NaN (the
    /// contract's one marker of a missing sample, counted as 0 by the montage as everywhere else).
    /// Infinity, or a finite value no amplifier gives, is refused by channel and sample: squared in a
    /// spectrogram it would overflow to infinity, and a stream that sends it is broken, not missing data.
    /// </summary>
    private static void CheckValues(EegChunk chunk, int count, int channels)
    {
        var samples = chunk.Samples;
        var limit = EegStream.MaxAbsMicrovolts;
        for (var i = 0; i < samples.Count; i++)
        {
            var value = samples[i];
            if (MathF.Abs(value) <= limit || float.IsNaN(value))
            {
                continue;
            }
            var (channel, sample) = chunk.Layout == SampleLayout.Interleaved ? (i % channels, i / channels) : (i / count, i % count);
            var name = channel < EegStream.ChannelNames.Count ? EegStream.ChannelNames[channel] : $"#{channel}";
            throw new InvalidEegChunkException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"chunk.samples[{i}] (channel {name}, sample {sample} of the chunk): {value:R} is not a microvolt value within +-{limit:0} (NaN marks a missing sample)"));
        }
    }

    /// <summary>
    /// Writes the chunk's <paramref name="count"/> samples per channel interleaved (s0c0, s0c1, ...) into
    /// <paramref name="destination"/>, which holds at least count x channels values.
    /// </summary>
    public static void CopyInterleaved(EegChunk chunk, int count, float[] destination, int channels = EegStream.ChannelCount)
    {
        var source = chunk.Samples;
        if (chunk.Layout == SampleLayout.Interleaved)
        {
            source.CopyTo(destination, 0); // already in order: one bulk copy
            return;
        }
        for (var c = 0; c < channels; c++)
        {
            for (var s = 0; s < count; s++)
            {
                destination[s * channels + c] = source[c * count + s];
            }
        }
    }
}

/// <summary>A chunk that breaks the streaming contract; the message names the field (for InvalidArgument).</summary>
public sealed class InvalidEegChunkException(string message) : Exception(message);
