namespace Hbac.Contracts;

/// <summary>
/// The model input contract shared by preprocessing, training and inference (DESIGN.md section 3):
/// a [400, 300] spectrogram slice, NaN to 0, clipped to [exp(-4), exp(8)], natural log, standardised
/// by the window's own mean and (std + eps), repeated to 3 channels.
/// </summary>
public static class ModelInput
{
    public const int Channels = 3;

    /// <summary>Spectrogram rows: 4 regions (LL, RL, LP, RP) x 100 frequencies.</summary>
    public const int FrequencyRows = 400;

    /// <summary>Spectrogram columns of one window: 300 columns of 2 s = 600 s.</summary>
    public const int TimeColumns = 300;

    public const double ColumnSeconds = 2.0;

    public const double WindowSeconds = TimeColumns * ColumnSeconds;

    public const int ElementCount = Channels * FrequencyRows * TimeColumns;

    /// <summary>Values of one channel's plane [400, 300]; the 3 channels hold the same plane.</summary>
    public const int PlaneElementCount = FrequencyRows * TimeColumns;

    /// <summary>Lower clip bound, exp(-4), applied before the natural log.</summary>
    public static readonly float ClipMin = MathF.Exp(-4f);

    /// <summary>Upper clip bound, exp(8).</summary>
    public static readonly float ClipMax = MathF.Exp(8f);

    /// <summary>Added to the standard deviation so a constant window does not divide by zero.</summary>
    public const float Epsilon = 1e-6f;

    /// <summary>
    /// Largest magnitude a normalised input value can have: a value standardised by the mean and standard
    /// deviation of its own n = 400 x 300 values lies within +-sqrt(n - 1) = 346.409 (one outlier among
    /// equal values reaches it); sqrt(n) = 346.410 leaves room for float rounding. Anything larger is not
    /// the model input the contract describes (and 3.4e38 overflows the network to NaN).
    /// </summary>
    public static readonly float MaxAbsValue = MathF.Sqrt(FrequencyRows * TimeColumns);

    /// <summary>[channels, rows, columns] of one input; the ONNX model takes [batch, 3, 400, 300].</summary>
    public static IReadOnlyList<int> Shape { get; } = [Channels, FrequencyRows, TimeColumns];
}
