using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Hbac.Eeg.Filters;

/// <summary>
/// A linear-phase FIR band-pass: the Hamming-windowed difference of two windowed-sinc low-passes, each
/// scaled to unit gain at 0 Hz, so a constant offset is removed. An output sample depends on the
/// <see cref="Taps"/> input samples that end at it and on nothing earlier: the same samples give the same
/// output wherever a computation started. That is what lets a stream keep what it computed for one window
/// and reuse it for the next, bit for bit (an IIR filter's output depends on where it started).
/// </summary>
public sealed class FirBandPass
{
    private readonly float[] _coefficients;

    public FirBandPass(double lowHz, double highHz, double sampleRateHz, int taps)
    {
        if (taps < 3 || taps % 2 == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(taps), taps, "an odd number of taps, at least 3");
        }
        if (!(lowHz > 0 && lowHz < highHz && highHz < sampleRateHz / 2))
        {
            throw new ArgumentOutOfRangeException(nameof(highHz), $"0 < {lowHz} < {highHz} < {sampleRateHz / 2} (Nyquist) does not hold");
        }
        LowHz = lowHz;
        HighHz = highHz;
        var middle = (taps - 1) / 2;
        var window = Enumerable.Range(0, taps).Select(n => 0.54 - 0.46 * Math.Cos(2 * Math.PI * n / (taps - 1))).ToArray();
        double[] LowPass(double hz)
        {
            var cutoff = hz / sampleRateHz;
            var h = Enumerable.Range(0, taps).Select(n =>
            {
                var m = n - middle;
                return window[n] * (m == 0 ? 2 * cutoff : Math.Sin(2 * Math.PI * cutoff * m) / (Math.PI * m));
            }).ToArray();
            var gain = h.Sum();
            return h.Select(v => v / gain).ToArray();
        }
        var high = LowPass(highHz);
        var low = LowPass(lowHz);
        _coefficients = high.Zip(low, (a, b) => (float)(a - b)).ToArray();
    }

    public double LowHz { get; }

    public double HighHz { get; }

    public int Taps => _coefficients.Length;

    /// <summary>The filter's delay in samples (linear phase): an output describes the input this many samples earlier.</summary>
    public int Delay => (Taps - 1) / 2;

    public ReadOnlySpan<float> Coefficients => _coefficients;

    /// <summary>|H(f)| of the float coefficients.</summary>
    public double Gain(double frequencyHz, double sampleRateHz)
    {
        double re = 0, im = 0;
        for (var n = 0; n < _coefficients.Length; n++)
        {
            var phase = -2 * Math.PI * frequencyHz / sampleRateHz * n;
            re += _coefficients[n] * Math.Cos(phase);
            im += _coefficients[n] * Math.Sin(phase);
        }
        return Math.Sqrt(re * re + im * im);
    }

    /// <summary>
    /// Outputs <paramref name="from"/> to <paramref name="to"/> (exclusive) of the filtered
    /// <paramref name="input"/>, into <paramref name="output"/>[0..to - from): output t is the sum over taps i
    /// of h[i] x[t - i], which needs t - Taps + 1 &gt;= 0. Each output is one chain of fused multiply-adds over
    /// i = 0, 1, ... in that order, in one vector lane or in scalar code alike, so an output is the same
    /// float however the outputs around it are grouped.
    /// </summary>
    public void Apply(ReadOnlySpan<float> input, int from, int to, Span<float> output)
    {
        if (from < Taps - 1 || to > input.Length || from > to)
        {
            throw new ArgumentOutOfRangeException(nameof(from), $"outputs {from}..{to} need inputs {from - Taps + 1}..{to} of {input.Length}");
        }
        if (output.Length < to - from)
        {
            throw new ArgumentException($"output holds {output.Length} values, {to - from} needed", nameof(output));
        }
        ref var x = ref MemoryMarshal.GetReference(input);
        ref var y = ref MemoryMarshal.GetReference(output);
        var h = _coefficients;
        var t = from;
        if (Vector512.IsHardwareAccelerated)
        {
            const int width = 16;
            for (; t + 4 * width <= to; t += 4 * width)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (var i = 0; i < h.Length; i++)
                {
                    var c = Vector512.Create(h[i]);
                    var at = (nuint)(t - i);
                    a0 = Vector512.FusedMultiplyAdd(c, Vector512.LoadUnsafe(ref x, at), a0);
                    a1 = Vector512.FusedMultiplyAdd(c, Vector512.LoadUnsafe(ref x, at + width), a1);
                    a2 = Vector512.FusedMultiplyAdd(c, Vector512.LoadUnsafe(ref x, at + 2 * width), a2);
                    a3 = Vector512.FusedMultiplyAdd(c, Vector512.LoadUnsafe(ref x, at + 3 * width), a3);
                }
                var o = (nuint)(t - from);
                a0.StoreUnsafe(ref y, o);
                a1.StoreUnsafe(ref y, o + width);
                a2.StoreUnsafe(ref y, o + 2 * width);
                a3.StoreUnsafe(ref y, o + 3 * width);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            const int width = 8;
            for (; t + 2 * width <= to; t += 2 * width)
            {
                Vector256<float> a0 = default, a1 = default;
                for (var i = 0; i < h.Length; i++)
                {
                    var c = Vector256.Create(h[i]);
                    var at = (nuint)(t - i);
                    a0 = Vector256.FusedMultiplyAdd(c, Vector256.LoadUnsafe(ref x, at), a0);
                    a1 = Vector256.FusedMultiplyAdd(c, Vector256.LoadUnsafe(ref x, at + width), a1);
                }
                var o = (nuint)(t - from);
                a0.StoreUnsafe(ref y, o);
                a1.StoreUnsafe(ref y, o + width);
            }
        }
        for (; t < to; t++)
        {
            var sum = 0f;
            for (var i = 0; i < h.Length; i++)
            {
                sum = MathF.FusedMultiplyAdd(h[i], input[t - i], sum);
            }
            output[t - from] = sum;
        }
    }
}
