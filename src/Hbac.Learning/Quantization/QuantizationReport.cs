using Hbac.Learning.Training;
using Hbac.Onnx.Quantization;

namespace Hbac.Learning.Quantization;

/// <summary>One batch size's timing of both models, measured alternately in the same run: the median of <paramref name="Rounds"/> rounds, per window.</summary>
public sealed record TimingComparison(int BatchSize, double Fp32MsPerWindow, double Int8MsPerWindow, int Rounds)
{
    public double Ratio => Int8MsPerWindow / Fp32MsPerWindow;
}

/// <summary>Everything <c>hbac quantize</c> measured, and whether the int8 model was written.</summary>
/// <param name="FoldSource">Where the fold came from ("--fold", "card.json", "metadata card_summary" or "default").</param>
/// <param name="ExpectedQuantizedNodes">Op types the quantizer wrapped in Q/DQ for ORT to fuse, with counts.</param>
/// <param name="NodeTypes">The int8 model's optimized graph as ONNX Runtime runs it: op type -> count.</param>
/// <param name="Refusals">Why the gate refused the model; empty when it was written.</param>
public sealed record QuantizationReport(
    string Kind,
    int Fold,
    string FoldSource,
    int CalibrationWindows,
    int FoldedBatchNorms,
    int PaddedDepthwiseConvs,
    int QuantizedTensors,
    IReadOnlyDictionary<string, int> ExpectedQuantizedNodes,
    IReadOnlyDictionary<string, int> NodeTypes,
    FoldEvaluation Fp32,
    FoldEvaluation Int8,
    DriftMeasurement Drift,
    IReadOnlyList<TimingComparison> Timings,
    int Threads,
    IReadOnlyList<string> Refusals,
    string? WrittenTo)
{
    public bool Written => WrittenTo is not null;
}
