using System.Runtime.Intrinsics;

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

    /// <summary>Signals <see cref="ApplyInterleaved"/> filters at once, one per 256-bit lane of doubles.</summary>
    public const int Lanes = 4;

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

    /// <summary>
    /// <see cref="Apply(Span{float})"/> on <see cref="Lanes"/> signals at once, interleaved sample by sample
    /// (a0, b0, c0, d0, a1, ...): the recursion is bound by its own latency, so four independent ones in the
    /// lanes of one register cost about what one does. Each lane performs the scalar form's operations in its
    /// order (no fused multiply-adds, the same float rounding), so every signal gets exactly what
    /// <see cref="Apply(Span{float})"/> gives it.
    /// </summary>
    public void ApplyInterleaved(Span<float> interleaved)
    {
        if (interleaved.Length % (2 * Lanes) != 0)
        {
            throw new ArgumentException($"{interleaved.Length} values are not an even number of samples of {Lanes} signals", nameof(interleaved));
        }
        var (h, l) = (HighPass, LowPass);
        var (hb0, hb1, hb2, ha1, ha2) = (Vector256.Create(h.B0), Vector256.Create(h.B1), Vector256.Create(h.B2), Vector256.Create(h.A1), Vector256.Create(h.A2));
        var (lb0, lb1, lb2, la1, la2) = (Vector256.Create(l.B0), Vector256.Create(l.B1), Vector256.Create(l.B2), Vector256.Create(l.A1), Vector256.Create(l.A2));
        Vector256<double> h1 = default, h2 = default, l1 = default, l2 = default;
        // Two samples of the four signals per 8-float load and store.
        for (var i = 0; i < interleaved.Length; i += 2 * Lanes)
        {
            var pair = Vector256.Create<float>(interleaved.Slice(i, 2 * Lanes));
            var first = Step(Vector256.WidenLower(pair));
            var second = Step(Vector256.WidenUpper(pair));
            Vector256.Narrow(first, second).CopyTo(interleaved.Slice(i, 2 * Lanes));
        }

        Vector256<double> Step(Vector256<double> x)
        {
            var y = hb0 * x + h1;
            h1 = hb1 * x - ha1 * y + h2;
            h2 = hb2 * x - ha2 * y;
            var z = lb0 * y + l1;
            l1 = lb1 * y - la1 * z + l2;
            l2 = lb2 * y - la2 * z;
            return z;
        }
    }
}
