namespace Hbac.Onnx.Quantization;

/// <summary>
/// Symmetric int8 weights, one scale per output channel (axis 0), zero point 0: w ~ q * Scale[c] with
/// q in -127..127. Symmetric weights are what QLinearConv's fast U8S8 kernels expect; per-channel scales
/// keep channels whose folded BatchNorm made them small from being rounded to zero.
/// </summary>
public sealed record WeightQuantization(sbyte[] Values, float[] Scales)
{
    /// <summary>Quantizes <paramref name="weights"/> laid out [channels, rest] row-major.</summary>
    public static WeightQuantization PerChannel(ReadOnlySpan<float> weights, int channels)
    {
        if (channels < 1 || weights.Length % channels != 0)
        {
            throw new ArgumentException($"{weights.Length} weights do not split into {channels} channels", nameof(channels));
        }
        var perChannel = weights.Length / channels;
        var values = new sbyte[weights.Length];
        var scales = new float[channels];
        for (var c = 0; c < channels; c++)
        {
            var row = weights.Slice(c * perChannel, perChannel);
            var absMax = 0f;
            foreach (var w in row)
            {
                absMax = Math.Max(absMax, Math.Abs(w));
            }
            // An all-zero channel still needs a positive scale (QLinearConv divides by none, but DequantizeLinear's spec wants one).
            var scale = absMax > 0 ? absMax / 127f : 1f;
            scales[c] = scale;
            for (var i = 0; i < perChannel; i++)
            {
                values[c * perChannel + i] = (sbyte)Math.Clamp(Math.Round(row[i] / scale), -127, 127);
            }
        }
        return new WeightQuantization(values, scales);
    }

    /// <summary>One scale for the whole tensor (the classifier's Gemm).</summary>
    public static WeightQuantization PerTensor(ReadOnlySpan<float> weights) => PerChannel(weights, 1);

    public int Channels => Scales.Length;

    public float[] Dequantize()
    {
        var perChannel = Values.Length / Channels;
        var weights = new float[Values.Length];
        for (var i = 0; i < Values.Length; i++)
        {
            weights[i] = Values[i] * Scales[i / perChannel];
        }
        return weights;
    }

    /// <summary>
    /// A bias as int32 with scale inputScale * Scale[c] per channel, as QLinearConv and QGemm add it to the
    /// int32 accumulator (ONNX Runtime's own quantizer does the same).
    /// </summary>
    public int[] QuantizeBias(ReadOnlySpan<float> bias, float inputScale, out float[] biasScales)
    {
        var values = new int[bias.Length];
        biasScales = new float[bias.Length];
        for (var c = 0; c < bias.Length; c++)
        {
            var scale = inputScale * Scales[Channels == 1 ? 0 : c];
            biasScales[c] = scale;
            values[c] = (int)Math.Clamp(Math.Round(bias[c] / (double)scale), int.MinValue, int.MaxValue);
        }
        return values;
    }
}
