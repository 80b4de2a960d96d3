namespace Hbac.Learning.Quantization;

/// <summary>
/// card.json's <c>int8</c> section: what the drift gate measured for the run's int8 model and whether
/// <c>model.int8.onnx</c> was published beside <c>model.onnx</c>.
/// </summary>
/// <param name="Refusals">Why the gate refused (nothing published); empty when published.</param>
public sealed record Int8Summary(
    bool Published,
    int Fold,
    double ValidationKaggleKl,
    double Fp32ValidationKaggleKl,
    double MeanDrift,
    double Int8MsPerWindow,
    double Fp32MsPerWindow,
    int CalibrationWindows,
    IReadOnlyList<string> Refusals)
{
    public static Int8Summary From(QuantizationReport report)
    {
        var timing = report.Timings.FirstOrDefault();
        return new Int8Summary(
            report.Written,
            report.Fold,
            report.Int8.ModelKl,
            report.Fp32.ModelKl,
            report.Drift.MeanDrift,
            timing?.Int8MsPerWindow ?? double.NaN,
            timing?.Fp32MsPerWindow ?? double.NaN,
            report.CalibrationWindows,
            report.Refusals);
    }
}
