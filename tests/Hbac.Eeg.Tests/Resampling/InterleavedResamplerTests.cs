using Hbac.Eeg.Resampling;

namespace Hbac.Eeg.Tests.Resampling;

public class InterleavedResamplerTests
{
    private static float[][] Signal(int channels, int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, channels).Select(c => Enumerable.Range(0, length)
            .Select(i => (float)(40 * Math.Sin(2 * Math.PI * (2 + c) * i / 256.0) + 10 * (random.NextDouble() - 0.5))).ToArray()).ToArray();
    }

    [Theory]
    [InlineData(256.0, 1)]
    [InlineData(256.0, 997)]
    [InlineData(500.0, 64)]
    [InlineData(128.0, 333)]
    [InlineData(250.5, 1000)]
    public void ChunkedInterleavedEqualsEachWholeChannelResampled(double rate, int largestChunk)
    {
        const int channels = 5;
        var signal = Signal(channels, (int)(rate * 7) + 3, seed: largestChunk);
        var resampler = new InterleavedResampler(channels, rate, 200);
        var output = new List<float>();
        var random = new Random(largestChunk);
        var frame = new float[channels];
        for (var start = 0; start < signal[0].Length;)
        {
            var frames = Math.Min(random.Next(1, largestChunk + 1), signal[0].Length - start);
            var chunk = new float[frames * channels];
            for (var i = 0; i < frames; i++)
            {
                for (var c = 0; c < channels; c++)
                {
                    chunk[i * channels + c] = signal[c][start + i];
                }
            }
            output.AddRange(resampler.Push(chunk).ToArray());
            start += frames;
        }
        Assert.True(resampler.PendingSeconds > 0, "the filter looks ahead, so some signal is always held back");
        output.AddRange(resampler.Finish().ToArray());

        for (var c = 0; c < channels; c++)
        {
            var whole = Resampler.Resample(signal[c], rate, 200);
            Assert.Equal(whole.Length * channels, output.Count);
            Assert.Equal(whole, Enumerable.Range(0, whole.Length).Select(i => output[i * channels + c]));
        }
    }

    [Fact]
    public void ThePendingSignalIsTheFiltersLookAheadAndPartOfAFrameIsRefused()
    {
        var resampler = new InterleavedResampler(2, 256, 200);
        var produced = resampler.Push(new float[2 * 2560]).Length / 2;
        // 10 s in, a little less out: the outputs still waiting for samples after the newest.
        Assert.InRange(produced, 1900, 1999);
        Assert.Equal(10.0 - produced / 200.0, resampler.PendingSeconds, 9);
        Assert.Throws<ArgumentException>(() => resampler.Push(new float[3]));
    }
}
