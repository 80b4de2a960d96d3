namespace Hbac.Onnx.Quantization;

/// <summary>Observed min/max of each activation tensor the quantizer needs, keyed by tensor name.</summary>
public sealed class CalibrationRanges
{
    private readonly Dictionary<string, TensorRange> _ranges = new(StringComparer.Ordinal);

    /// <summary>Windows observed so far.</summary>
    public int Windows { get; private set; }

    public IReadOnlyDictionary<string, TensorRange> Ranges => _ranges;

    public void Include(string tensor, ReadOnlySpan<float> values)
    {
        if (values.IsEmpty)
        {
            return;
        }
        var min = float.PositiveInfinity;
        var max = float.NegativeInfinity;
        foreach (var v in values)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        _ranges[tensor] = _ranges.TryGetValue(tensor, out var range) ? range.Include(min, max) : new TensorRange(min, max);
    }

    public void CountWindows(int n) => Windows += n;

    public TensorRange this[string tensor] => _ranges.TryGetValue(tensor, out var range)
        ? range
        : throw new KeyNotFoundException($"no calibration range for tensor '{tensor}'");
}
