namespace Hbac.Onnx.Quantization;

/// <summary>The smallest and largest value a tensor took over the calibration windows.</summary>
public readonly record struct TensorRange(float Min, float Max)
{
    public TensorRange Include(float min, float max) => new(Math.Min(Min, min), Math.Max(Max, max));
}
