using Hbac.Eeg.Resampling;

namespace Hbac.Eeg.Tests.Resampling;

public class StreamingResamplerTests
{
    private static float[] Noise(int length, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(n => (float)(random.NextDouble() * 100 - 50 + 30 * Math.Sin(n * 0.05)))];
    }

    /// <summary>The signal pushed in pieces of random sizes (some empty, some a single sample), then finished.</summary>
    private static float[] Streamed(float[] input, double fromRate, int seed)
    {
        var resampler = new StreamingResampler(fromRate, 200);
        var random = new Random(seed);
        var output = new List<float>();
        for (var at = 0; at < input.Length;)
        {
            var n = Math.Min(input.Length - at, random.Next(0, 700));
            output.AddRange(resampler.Push(input.AsSpan(at, n)).ToArray());
            at += n;
        }
        output.AddRange(resampler.Finish().ToArray());
        Assert.Equal(output.Count, resampler.Outputs);
        return [.. output];
    }

    [Theory]
    [InlineData(256.0, 10_000)]
    [InlineData(250.0, 9_999)]
    [InlineData(512.0, 20_000)]
    [InlineData(500.0, 3)]
    [InlineData(160.0, 7_001)]
    [InlineData(128.0, 5_000)]
    [InlineData(1000.0, 1)]
    [InlineData(2048.0, 30_000)]
    [InlineData(77 / 0.3, 4_000)]
    [InlineData(200.0, 4_321)]
    public void PiecesGiveTheWholeSignalsResamplingBitForBit(double fromRate, int length)
    {
        var input = Noise(length, length);
        Assert.Equal(Resampler.Resample(input, fromRate, 200), Streamed(input, fromRate, 1));
        Assert.Equal(Resampler.Resample(input, fromRate, 200), Streamed(input, fromRate, 2));
    }

    [Fact]
    public void MissingSamplesStayMissingWhereTheWholeResamplingHasThem()
    {
        var input = Noise(256 * 30, 4);
        input.AsSpan(256 * 10, 256 * 5).Fill(float.NaN);
        var expected = Resampler.Resample(input, 256.0, 200);
        Assert.Equal(expected, Streamed(input, 256.0, 3));
        Assert.Contains(expected, float.IsNaN);
    }

    [Fact]
    public void NothingPushedGivesNothingAndAFinishedSignalTakesNoMore()
    {
        var resampler = new StreamingResampler(256.0, 200);
        Assert.True(resampler.Finish().IsEmpty);
        Assert.True(resampler.Finish().IsEmpty);
        Assert.Throws<InvalidOperationException>(() => resampler.Push([1f]).Length);
    }

    [Fact]
    public void ItKeepsOnlyAFilterBranchOfInputWhateverTheSignalsLength()
    {
        // A day at 256 Hz in 1-s records: the outputs come as the input arrives, 200 per 256 in.
        var resampler = new StreamingResampler(256.0, 200);
        var second = Noise(256, 5);
        long outputs = 0;
        for (var s = 0; s < 3600; s++)
        {
            outputs += resampler.Push(second).Length;
            Assert.InRange(200L * (s + 1) - outputs, 0, 40);
        }
        outputs += resampler.Finish().Length;
        Assert.Equal(3600 * 200, outputs);
    }
}
