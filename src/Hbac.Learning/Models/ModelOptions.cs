namespace Hbac.Learning.Models;

/// <summary>Construction options shared by every architecture in <see cref="ModelCatalog"/>.</summary>
public sealed record ModelOptions
{
    /// <summary>
    /// When &gt; 1 the model starts with AvgPool2d(k, stride k): a fast profile trains at 1/k resolution
    /// while the exported model still takes the full [N,3,400,300] input. With
    /// <see cref="InputDownsampleColumns"/> set, this is the factor over rows (frequency) only.
    /// </summary>
    public int InputDownsample { get; init; } = 1;

    /// <summary>
    /// The factor over columns (time) when it differs from the rows' (AvgPool2d((rows, columns))); null =
    /// <see cref="InputDownsample"/>. EEG windows can keep their frequency detail and pool time more (the quick profile).
    /// </summary>
    public int? InputDownsampleColumns { get; init; }

    /// <summary>The input pool's (rows, columns) kernel and stride.</summary>
    public (int Rows, int Columns) InputPool => (InputDownsample, InputDownsampleColumns ?? InputDownsample);

    /// <summary>
    /// BatchNorm running-statistics momentum, PyTorch convention (weight of the new batch). 0.1 is
    /// PyTorch's default; torchvision's MobileNetV3 uses 0.01; Keras' MobileNetV3 uses 0.999 in Keras'
    /// convention (= 0.001 here), which leaves the statistics almost at their initial values after a
    /// short training run - the seed's wandering validation loss. Valid range (0, 1].
    /// </summary>
    public double BatchNormMomentum { get; init; } = 0.1;

    /// <summary>
    /// Run the convolutions on channels-last (NHWC) tensors: libtorch then picks oneDNN's NHWC kernels, whose
    /// depthwise convolutions train about twice as fast on a CPU (<c>hbac bench train</c> compares both). The
    /// weights, the ONNX export and the results up to float rounding are the same either way.
    /// </summary>
    public bool ChannelsLast { get; init; } = true;

    /// <summary>Optional initial weights: a TorchSharp state file or an ONNX file this project exported.</summary>
    public string? WeightsPath { get; init; }

    internal void Validate()
    {
        if (InputDownsample < 1)
        {
            throw new ArgumentException($"InputDownsample must be >= 1, got {InputDownsample}", nameof(InputDownsample));
        }
        if (InputDownsampleColumns is < 1)
        {
            throw new ArgumentException($"InputDownsampleColumns must be >= 1, got {InputDownsampleColumns}", nameof(InputDownsampleColumns));
        }
        if (!(BatchNormMomentum > 0 && BatchNormMomentum <= 1))
        {
            throw new ArgumentException($"BatchNormMomentum must be in (0, 1], got {BatchNormMomentum}", nameof(BatchNormMomentum));
        }
    }
}
