using Hbac.Contracts.Streaming;
using Hbac.Contracts.V1;

namespace Hbac.Contracts.Tests;

public class EegChunkSamplesTests
{
    // Sample s of channel c is c * 1000 + s, so every value says where it came from (and is a legal microvolt value).
    private static float[][] Recording(int samples) =>
        Enumerable.Range(0, EegStream.ChannelCount)
            .Select(c => Enumerable.Range(0, samples).Select(s => (float)(c * 1000 + s)).ToArray())
            .ToArray();

    [Theory]
    [InlineData(SampleLayout.Interleaved)]
    [InlineData(SampleLayout.ChannelMajor)]
    public void BothLayoutsDecodeToTheSameInterleavedSamples(SampleLayout layout)
    {
        var chunk = EegChunks.Create(Recording(50), 10, 7, layout);

        var count = EegChunkSamples.Count(chunk);
        var samples = new float[count * EegStream.ChannelCount];
        EegChunkSamples.CopyInterleaved(chunk, count, samples);

        Assert.Equal(7, count);
        Assert.Equal(10f, samples[0]);                         // sample 10 of channel 0
        Assert.Equal(5 * 1000f + 10, samples[5]);             // sample 10 of channel 5
        Assert.Equal(1000f + 11, samples[20 + 1]);             // sample 11 of channel 1
        Assert.Equal(19 * 1000f + 16, samples[^1]);            // sample 16 of channel 19
    }

    [Theory]
    [InlineData(SampleLayout.Interleaved, float.PositiveInfinity, "chunk.samples[63] (channel P3, sample 3 of the chunk): Infinity is not a microvolt value within +-1000000 (NaN marks a missing sample)")]
    [InlineData(SampleLayout.ChannelMajor, float.NegativeInfinity, "chunk.samples[18] (channel P3, sample 3 of the chunk): -Infinity is not a microvolt value within +-1000000 (NaN marks a missing sample)")]
    [InlineData(SampleLayout.Interleaved, 1.5e6f, "chunk.samples[63] (channel P3, sample 3 of the chunk): 1500000 is not a microvolt value within +-1000000 (NaN marks a missing sample)")]
    public void SamplesThatAreNotMicrovoltsAreRefusedByChannelAndSample(SampleLayout layout, float bad, string message)
    {
        var channels = Recording(5);
        channels[3][3] = bad;
        channels[7][1] = float.NaN; // missing: accepted
        var chunk = EegChunks.Create(channels, 0, 5, layout);

        var error = Assert.Throws<InvalidEegChunkException>(() => EegChunkSamples.Count(chunk));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void NaNMarksAMissingSampleAndTheLimitItselfIsAccepted()
    {
        var channels = Recording(4).Select(c => c.Select(_ => 0f).ToArray()).ToArray();
        channels[0][0] = float.NaN;
        channels[1][1] = EegStream.MaxAbsMicrovolts;
        channels[2][2] = -EegStream.MaxAbsMicrovolts;

        Assert.Equal(4, EegChunkSamples.Count(EegChunks.Create(channels, 0, 4, SampleLayout.Interleaved)));
    }

    [Theory]
    [InlineData(SampleLayout.Unspecified, 20, "chunk.layout: Unspecified is not a layout; set INTERLEAVED or CHANNEL_MAJOR")]
    [InlineData(SampleLayout.Interleaved, 0, "chunk.samples: empty; a chunk holds at least one sample of every channel")]
    [InlineData(SampleLayout.ChannelMajor, 41, "chunk.samples: 41 values is not a multiple of 20 channels")]
    public void ContractViolationsNameTheField(SampleLayout layout, int values, string message)
    {
        var chunk = new EegChunk { Layout = layout };
        chunk.Samples.AddRange(new float[values]);

        var exception = Assert.Throws<InvalidEegChunkException>(() => EegChunkSamples.Count(chunk));

        Assert.Equal(message, exception.Message);
    }

    [Fact]
    public void ChunksSurviveTheWire()
    {
        var chunk = EegChunks.Create(Recording(10), 3, 4, SampleLayout.ChannelMajor);

        var received = new StreamEegRequest { Chunk = chunk };
        var parsed = StreamEegRequest.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(received)).Chunk;

        Assert.Equal(80, parsed.Samples.Count);
        Assert.Equal(3f, parsed.Samples[0]);               // channel 0, sample 3
        Assert.Equal(1000f + 3, parsed.Samples[4]);        // channel 1, sample 3
        Assert.Equal(19 * 1000f + 6, parsed.Samples[79]);
    }
}
