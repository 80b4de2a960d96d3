namespace Hbac.Eeg.Filters;

/// <summary>
/// A causal Butterworth band-pass: a second-order high-pass section cascaded with a second-order
/// low-pass section (what the Kaggle write-ups call a 2nd-order Butterworth band-pass). Causal, so a
/// stream can run it; <see cref="Apply"/> starts from rest, so the same samples always give the same output.
/// </summary>
public sealed class ButterworthBandPass(double lowHz, double highHz, double sampleRateHz)
{
    public double LowHz { get; } = lowHz;

    public double HighHz { get; } = highHz;

    public Biquad HighPass { get; } = Biquad.HighPass(lowHz, sampleRateHz);

    public Biquad LowPass { get; } = Biquad.LowPass(highHz, sampleRateHz);

    public double Gain(double frequencyHz, double sampleRateHz) =>
        HighPass.Gain(frequencyHz, sampleRateHz) * LowPass.Gain(frequencyHz, sampleRateHz);

    /// <summary>Filters <paramref name="signal"/> in place, starting from zero state.</summary>
    public void Apply(Span<float> signal)
    {
        var (h, l) = (HighPass, LowPass);
        double h1 = 0, h2 = 0, l1 = 0, l2 = 0;
        for (var i = 0; i < signal.Length; i++)
        {
            double x = signal[i];
            var y = h.B0 * x + h1;
            h1 = h.B1 * x - h.A1 * y + h2;
            h2 = h.B2 * x - h.A2 * y;
            var z = l.B0 * y + l1;
            l1 = l.B1 * y - l.A1 * z + l2;
            l2 = l.B2 * y - l.A2 * z;
            signal[i] = (float)z;
        }
    }
}
