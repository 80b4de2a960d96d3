using Hbac.Onnx.Quantization;

namespace Hbac.Onnx.Tests.Quantization;

public sealed class WeightQuantizationTests
{
    [Fact]
    public void PerChannelRoundTripIsWithinHalfAStepOfEachChannel()
    {
        var random = new Random(3);
        const int channels = 5, perChannel = 37;
        // Channels of very different magnitude (as after BatchNorm folding), one all zero.
        var weights = new float[channels * perChannel];
        for (var c = 0; c < channels; c++)
        {
            var magnitude = c == 2 ? 0 : Math.Pow(10, -c);
            for (var i = 0; i < perChannel; i++)
            {
                weights[c * perChannel + i] = (float)((random.NextDouble() * 2 - 1) * magnitude);
            }
        }

        var q = WeightQuantization.PerChannel(weights, channels);
        var restored = q.Dequantize();

        for (var c = 0; c < channels; c++)
        {
            var absMax = weights.Skip(c * perChannel).Take(perChannel).Max(Math.Abs);
            Assert.Equal(absMax > 0 ? absMax / 127 : 1f, q.Scales[c], 6);
            for (var i = c * perChannel; i < (c + 1) * perChannel; i++)
            {
                Assert.InRange(q.Values[i], -127, 127);
                Assert.True(Math.Abs(restored[i] - weights[i]) <= q.Scales[c] / 2 * (1 + 1e-5), $"channel {c}: {weights[i]} -> {restored[i]}, step {q.Scales[c]}");
            }
        }
        // The largest weight of a channel is exactly +-127 steps: the full int8 range is used.
        Assert.Contains(q.Values.Take(perChannel), v => Math.Abs((int)v) == 127);
    }

    [Fact]
    public void BiasIsInt32AtInputScaleTimesWeightScale()
    {
        var q = WeightQuantization.PerChannel([1f, -0.5f, 0.25f, 0.125f], 2);
        var bias = q.QuantizeBias([0.3f, -0.01f], inputScale: 0.02f, out var scales);

        Assert.Equal(0.02f * q.Scales[0], scales[0]);
        Assert.Equal(0.02f * q.Scales[1], scales[1]);
        Assert.Equal((int)Math.Round(0.3 / scales[0]), bias[0]);
        Assert.Equal((int)Math.Round(-0.01 / scales[1]), bias[1]);
    }

    [Fact]
    public void ActivationsKeepZeroExactAndAReluRangeGetsZeroPointZero()
    {
        var relu = ActivationQuantization.FromRange(new TensorRange(0f, 6f));
        Assert.Equal(0, relu.ZeroPoint);
        Assert.Equal(6f / 255, relu.Scale, 6);

        var shifted = ActivationQuantization.FromRange(new TensorRange(-1f, 3f));
        Assert.Equal(0f, shifted.Dequantize(shifted.Quantize(0f)));
        Assert.InRange(Math.Abs(shifted.Dequantize(shifted.Quantize(1.234f)) - 1.234f), 0, shifted.Scale / 2 + 1e-6);

        // A range not holding 0 is widened to hold it.
        var positive = ActivationQuantization.FromRange(new TensorRange(2f, 4f));
        Assert.Equal(0, positive.ZeroPoint);
        Assert.Equal(4f / 255, positive.Scale, 6);
    }
}
