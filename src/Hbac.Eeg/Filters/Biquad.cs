namespace Hbac.Eeg.Filters;

/// <summary>
/// One second-order section (RBJ cookbook coefficients by the bilinear transform, normalised by a0),
/// run in direct form II transposed with double state. Butterworth sections use Q = 1/sqrt(2).
/// </summary>
public readonly record struct Biquad(double B0, double B1, double B2, double A1, double A2)
{
    public const double ButterworthQ = 0.70710678118654752;

    public static Biquad LowPass(double cutoffHz, double sampleRateHz, double q = ButterworthQ)
    {
        var (cos, alpha) = Prewarp(cutoffHz, sampleRateHz, q);
        return Normalised((1 - cos) / 2, 1 - cos, (1 - cos) / 2, 1 + alpha, -2 * cos, 1 - alpha);
    }

    public static Biquad HighPass(double cutoffHz, double sampleRateHz, double q = ButterworthQ)
    {
        var (cos, alpha) = Prewarp(cutoffHz, sampleRateHz, q);
        return Normalised((1 + cos) / 2, -(1 + cos), (1 + cos) / 2, 1 + alpha, -2 * cos, 1 - alpha);
    }

    /// <summary>The magnitude of the frequency response at <paramref name="frequencyHz"/> (1 = passes unchanged).</summary>
    public double Gain(double frequencyHz, double sampleRateHz)
    {
        var w = 2 * Math.PI * frequencyHz / sampleRateHz;
        var z1 = System.Numerics.Complex.FromPolarCoordinates(1, -w);
        var z2 = z1 * z1;
        return ((B0 + B1 * z1 + B2 * z2) / (1 + A1 * z1 + A2 * z2)).Magnitude;
    }

    private static (double Cos, double Alpha) Prewarp(double cutoffHz, double sampleRateHz, double q)
    {
        if (!(cutoffHz > 0 && cutoffHz < sampleRateHz / 2))
        {
            throw new ArgumentOutOfRangeException(nameof(cutoffHz), cutoffHz, $"a cutoff must lie between 0 and {sampleRateHz / 2} Hz");
        }
        var w0 = 2 * Math.PI * cutoffHz / sampleRateHz;
        return (Math.Cos(w0), Math.Sin(w0) / (2 * q));
    }

    private static Biquad Normalised(double b0, double b1, double b2, double a0, double a1, double a2) =>
        new(b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0);
}
