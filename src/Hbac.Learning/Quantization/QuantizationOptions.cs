using Hbac.Onnx.Quantization;

namespace Hbac.Learning.Quantization;

/// <summary>What <c>hbac quantize</c> is asked to do.</summary>
public sealed record QuantizationOptions
{
    public required string ModelPath { get; init; }
    public required string DataFolder { get; init; }
    public required string OutPath { get; init; }
    public string? SpectrogramsFolder { get; init; }

    /// <summary>The fold whose training windows calibrate and whose validation windows gate; null: the model's own (card.json, then metadata), else 0.</summary>
    public int? Fold { get; init; }

    /// <summary>At most this many training windows calibrate the activation ranges.</summary>
    public int CalibrationWindows { get; init; } = 128;

    /// <summary>ONNX Runtime intra-op threads for both models (the timing compares them at the same count).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Batch sizes the ms-per-window comparison runs at.</summary>
    public IReadOnlyList<int> TimingBatchSizes { get; init; } = [1, 16];

    /// <summary>How long each batch size's alternating timing runs (at least 5 rounds).</summary>
    public TimeSpan TimingBudget { get; init; } = TimeSpan.FromSeconds(2);

    public DriftGate Gate { get; init; } = new();
}
