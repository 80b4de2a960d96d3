using Hbac.Contracts.Streaming;
using Hbac.Contracts.V1;
using Hbac.Eeg.Montage;

namespace Hbac.Inference.Tests.Support;

internal static class Inputs
{
    /// <summary>A [3,400,300] input whose channel c holds the constant <paramref name="means"/>[c].</summary>
    public static float[] Constant(params float[] means)
    {
        var values = new float[3 * 400 * 300];
        for (var c = 0; c < 3; c++)
        {
            values.AsSpan(c * 120_000, 120_000).Fill(means[c]);
        }
        return values;
    }

    public static Tensor Tensor(params float[] means) => Contracts.V1.Tensor.FromFloats([3, 400, 300], Constant(means));

    public static float[] ChannelMeans(float[] input) =>
        Enumerable.Range(0, 3).Select(c => (float)input.AsSpan(c * 120_000, 120_000).ToArray().Average(v => (double)v)).ToArray();

    public static float[] ChannelMaxima(float[] input) =>
        Enumerable.Range(0, 3).Select(c => input.AsSpan(c * 120_000, 120_000).ToArray().Max()).ToArray();

    /// <summary>20 Kaggle channels of deterministic pseudo-EEG (sines plus noise), <paramref name="seconds"/> long at <paramref name="rateHz"/>.</summary>
    public static float[][] Eeg(double seconds, int seed = 7, int rateHz = 200)
    {
        var length = (int)(seconds * rateHz);
        var random = new Random(seed);
        return Enumerable.Range(0, 20).Select(c =>
        {
            var channel = new float[length];
            for (var s = 0; s < length; s++)
            {
                channel[s] = (float)(30 * Math.Sin(2 * Math.PI * (3 + c % 7) * s / rateHz) + 10 * (random.NextDouble() - 0.5));
            }
            return channel;
        }).ToArray();
    }

    public static EegRecording Recording(float[][] channels) => new(KaggleMontage.Columns, channels, 200);

    public static IEnumerable<StreamEegRequest> Chunks(float[][] channels, int chunkSamples, SampleLayout layout = SampleLayout.Interleaved) =>
        EegChunks.Split(channels, chunkSamples, layout).Select(chunk => new StreamEegRequest { Chunk = chunk });

    public static void AssertProbabilities(float[] expected, ClassProbabilities actual, float tolerance = 1e-4f)
    {
        var values = actual.ToArray();
        for (var k = 0; k < 6; k++)
        {
            Assert.True(Math.Abs(expected[k] - values[k]) <= tolerance, $"class {k}: expected {expected[k]}, got {values[k]}");
        }
    }
}
