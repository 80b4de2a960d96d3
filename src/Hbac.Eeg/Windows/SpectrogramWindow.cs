using Hbac.Eeg.Spectrograms;

namespace Hbac.Eeg.Windows;

/// <summary>
/// The seed's decode step (DESIGN.md section 3): a labelled window of a Kaggle spectrogram -> the model's
/// [3, 400, 300] input. Columns offset/2 .. offset/2 + 300 (zero-padded on the right when the spectrogram
/// is short), NaN -> 0, clip to [e^-4, e^8], natural log, subtract the window mean, divide by
/// (population std + 1e-6), the same plane repeated on 3 channels.
/// </summary>
public static class SpectrogramWindow
{
    /// <summary>How the window is computed, in words, for model cards.</summary>
    public const string Normalisation =
        "600-s window [400,300] of the spectrogram at offset/2 s, zero-padded; NaN->0, clip [exp(-4), exp(8)], ln, " +
        "(x - mean) / (std + 1e-6) per window, repeated to 3 channels";

    public const int Channels = 3;
    public const int Rows = SpectrogramLayout.Rows;
    public const int Columns = SpectrogramLayout.WindowColumns;
    public const int PlaneSize = Rows * Columns;
    public const int Size = Channels * PlaneSize;

    /// <summary>The clip range as the starter computes it in float32.</summary>
    public static readonly float ClipMin = MathF.Exp(-4f);
    public static readonly float ClipMax = MathF.Exp(8f);

    public const double StdEpsilon = 1e-6;

    public static float[] Decode(Spectrogram spectrogram, double spectrogramOffsetSeconds) =>
        Decode(spectrogram.Values, spectrogram.Columns, spectrogramOffsetSeconds);

    /// <summary>Decodes from a raw row-major [400, <paramref name="columns"/>] matrix (e.g. read from .npy).</summary>
    public static float[] Decode(ReadOnlySpan<float> values, int columns, double spectrogramOffsetSeconds)
    {
        var result = new float[Size];
        Decode(values, columns, spectrogramOffsetSeconds, result);
        return result;
    }

    /// <summary>Decodes into <paramref name="destination"/> (length <see cref="Size"/>), e.g. one slot of a batch.</summary>
    public static void Decode(ReadOnlySpan<float> values, int columns, double spectrogramOffsetSeconds, Span<float> destination)
    {
        if (columns < 0 || values.Length != Rows * columns)
        {
            throw new ArgumentException($"values hold {values.Length} elements, expected 400 x {columns}", nameof(values));
        }
        if (destination.Length != Size)
        {
            throw new ArgumentException($"destination holds {destination.Length} elements, expected {Size}", nameof(destination));
        }
        var start = StartColumn(spectrogramOffsetSeconds);
        var available = Math.Clamp(columns - start, 0, Columns);

        var plane = destination[..PlaneSize];
        var logOfZero = MathF.Log(ClipMin);
        double sum = 0, sumOfSquares = 0;
        for (var r = 0; r < Rows; r++)
        {
            var source = values.Slice(r * columns + Math.Min(start, columns), available);
            var target = plane.Slice(r * Columns, Columns);
            for (var c = 0; c < source.Length; c++)
            {
                var v = source[c];
                // NaN fails both comparisons: it lands on ClipMin, as NaN -> 0 -> clip would.
                var clipped = v >= ClipMin ? (v <= ClipMax ? v : ClipMax) : ClipMin;
                var log = MathF.Log(clipped);
                target[c] = log;
                sum += log;
                sumOfSquares += (double)log * log;
            }
            // Padding columns hold 0 before the log, so log(clip(0)) = -4.
            target[source.Length..].Fill(logOfZero);
        }
        var padded = (double)Rows * (Columns - available);
        sum += padded * logOfZero;
        sumOfSquares += padded * logOfZero * logOfZero;

        var mean = sum / PlaneSize;
        var variance = Math.Max(0, sumOfSquares / PlaneSize - mean * mean);
        var meanF = (float)mean;
        var divisor = (float)(Math.Sqrt(variance) + StdEpsilon);
        for (var i = 0; i < plane.Length; i++)
        {
            plane[i] = (plane[i] - meanF) / divisor;
        }
        plane.CopyTo(destination.Slice(PlaneSize, PlaneSize));
        plane.CopyTo(destination.Slice(2 * PlaneSize, PlaneSize));
    }

    /// <summary>First spectrogram column of a labelled window: floor(offset / 2), as the starter's offset // 2.</summary>
    public static int StartColumn(double spectrogramOffsetSeconds)
    {
        if (!double.IsFinite(spectrogramOffsetSeconds) || spectrogramOffsetSeconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(spectrogramOffsetSeconds), spectrogramOffsetSeconds, "a label offset must be a finite number >= 0");
        }
        return (int)Math.Floor(spectrogramOffsetSeconds / SpectrogramLayout.SecondsPerColumn);
    }
}
