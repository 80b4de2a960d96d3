namespace Hbac.Onnx.Quantization;

/// <summary>
/// Asymmetric uint8 parameters of one activation tensor: x ~ (q - ZeroPoint) * Scale, q in 0..255. The
/// range always holds 0, so 0 is exact (zero padding, ReLU); a range starting at 0 gets zero point 0,
/// which is what lets ONNX Runtime drop a ReLU before QuantizeLinear.
/// </summary>
public readonly record struct ActivationQuantization(float Scale, byte ZeroPoint)
{
    public static ActivationQuantization FromRange(TensorRange range)
    {
        var min = Math.Min(range.Min, 0f);
        var max = Math.Max(range.Max, 0f);
        if (!float.IsFinite(min) || !float.IsFinite(max))
        {
            throw new ArgumentException($"calibration range [{range.Min}, {range.Max}] is not finite", nameof(range));
        }
        if (max - min < 1e-8f)
        {
            max = min + 1e-8f;
        }
        var scale = (max - min) / 255f;
        var zeroPoint = (byte)Math.Clamp(Math.Round(-min / scale), 0, 255);
        return new ActivationQuantization(scale, zeroPoint);
    }

    public byte Quantize(float x) => (byte)Math.Clamp(Math.Round(x / Scale) + ZeroPoint, 0, 255);

    public float Dequantize(byte q) => (q - ZeroPoint) * Scale;
}
