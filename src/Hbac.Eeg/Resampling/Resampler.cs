using System.Numerics;
using System.Runtime.InteropServices;

namespace Hbac.Eeg.Resampling;

/// <summary>
/// Rational polyphase resampling with an anti-aliasing low-pass, the design of scipy.signal.resample_poly:
/// the ratio to/from is reduced by its gcd to up/down, the filter is a Kaiser-windowed sinc (beta 5) of
/// 2 * 10 * max(up, down) + 1 taps with its cutoff at the lower of the two Nyquist frequencies, and
/// output sample m lies at input time m * down / up (zero delay). Two deliberate differences: each
/// polyphase branch is normalised to unit gain, so a constant input comes out exactly constant, and
/// the input is extended with its edge values instead of zeros, so the ends do not sag towards zero.
/// Output length is ceil(n * up / down). <see cref="StreamingResampler"/> gives the same outputs for a
/// signal fed in pieces.
/// </summary>
public static class Resampler
{
    public const double KaiserBeta = 5.0;

    /// <summary>Filter half-length, in taps at the upsampled rate, per unit of max(up, down).</summary>
    public const int HalfLengthPerFactor = 10;

    /// <summary>Largest up or down factor used for a non-integer source rate (filters stay under ~80k taps).</summary>
    public const int MaxRationalFactor = 4096;

    /// <summary>Resamples from one integer rate to another (any unit, only the ratio matters).</summary>
    public static float[] Resample(ReadOnlySpan<float> input, int fromRate, int toRate)
    {
        if (fromRate <= 0 || toRate <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(fromRate), $"rates must be positive, got {fromRate} -> {toRate}");
        }
        var gcd = Gcd(fromRate, toRate);
        return ResamplePoly(input, toRate / gcd, fromRate / gcd);
    }

    /// <summary>
    /// Resamples from a possibly non-integer rate (an EDF signal with, say, 77 samples per 0.3-s record).
    /// The ratio is the closest fraction up/down with both terms at most <see cref="MaxRationalFactor"/>
    /// (continued fractions), exact for every rate that is a ratio of such integers; the relative rate
    /// error otherwise stays below 1e-6 for EEG rates.
    /// </summary>
    public static float[] Resample(ReadOnlySpan<float> input, double fromRateHz, int toRateHz)
    {
        var (up, down) = Ratio(fromRateHz, toRateHz);
        return ResamplePoly(input, up, down);
    }

    /// <summary>The reduced up/down factors for a resampling from <paramref name="fromRateHz"/> to <paramref name="toRateHz"/>.</summary>
    public static (int Up, int Down) Ratio(double fromRateHz, int toRateHz)
    {
        if (!(fromRateHz > 0) || !double.IsFinite(fromRateHz) || toRateHz <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(fromRateHz), $"rates must be positive, got {fromRateHz} -> {toRateHz}");
        }
        var rounded = Math.Round(fromRateHz);
        if (Math.Abs(fromRateHz - rounded) < 1e-9 * fromRateHz && rounded <= int.MaxValue)
        {
            var from = (int)rounded;
            var gcd = Gcd(from, toRateHz);
            return (toRateHz / gcd, from / gcd);
        }
        return BestFraction(toRateHz / fromRateHz, MaxRationalFactor);
    }

    /// <summary>Output length of a resampling by up/down: ceil(n * up / down).</summary>
    public static int OutputLength(int inputLength, int up, int down) =>
        checked((int)OutputLength((long)inputLength, up, down));

    /// <summary><see cref="OutputLength(int, int, int)"/> in 64 bits: a month at 2 kHz is more samples than an int holds.</summary>
    internal static long OutputLength(long inputLength, int up, int down) => (inputLength * up + down - 1) / down;

    /// <summary>
    /// Where output <paramref name="m"/> reads: its polyphase branch, and the first of its <c>branchLength</c>
    /// samples in the signal padded with <see cref="Pad"/> edge values in front. Output m sits at input time
    /// m * down / up, the filter's delay (<paramref name="halfLength"/> upsampled taps) taken out.
    /// </summary>
    internal static (int Phase, long Start) Tap(long m, int up, int down, int halfLength, int branchLength)
    {
        var position = m * down + halfLength;
        return ((int)(position % up), position / up - (branchLength - 1) + Pad(branchLength));
    }

    /// <summary>Edge values padded on each side: wide enough for every tap of every output sample.</summary>
    internal static int Pad(int branchLength) => branchLength + 1;

    /// <summary>Upsample by <paramref name="up"/>, low-pass, downsample by <paramref name="down"/> (factors need not be reduced).</summary>
    public static float[] ResamplePoly(ReadOnlySpan<float> input, int up, int down)
    {
        if (up <= 0 || down <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(up), $"factors must be positive, got up {up}, down {down}");
        }
        var gcd = Gcd(up, down);
        up /= gcd;
        down /= gcd;
        if (input.IsEmpty)
        {
            return [];
        }
        if (up == 1 && down == 1)
        {
            return input.ToArray();
        }

        var halfLength = HalfLengthPerFactor * Math.Max(up, down);
        var phases = PolyphaseBranches(up, down, halfLength, out var branchLength);

        // Edge-value padding wide enough for every tap of every output sample.
        var pad = Pad(branchLength);
        var padded = new float[input.Length + 2 * pad];
        padded.AsSpan(0, pad).Fill(input[0]);
        input.CopyTo(padded.AsSpan(pad));
        padded.AsSpan(pad + input.Length).Fill(input[^1]);

        var output = new float[OutputLength(input.Length, up, down)];
        for (var m = 0; m < output.Length; m++)
        {
            var (phase, start) = Tap(m, up, down, halfLength, branchLength);
            output[m] = Dot(phases[phase], padded.AsSpan((int)start, branchLength));
        }
        return output;
    }

    /// <summary>
    /// Splits the low-pass into its <paramref name="up"/> phases, each reversed (so a branch is a plain dot
    /// product with consecutive input samples) and zero-extended to a common length.
    /// </summary>
    internal static float[][] PolyphaseBranches(int up, int down, int halfLength, out int branchLength)
    {
        var taps = LowPass(halfLength, 1.0 / Math.Max(up, down));
        branchLength = (taps.Length + up - 1) / up;
        var branches = new float[up][];
        for (var phase = 0; phase < up; phase++)
        {
            var branch = new double[branchLength];
            var sum = 0.0;
            for (var j = 0; j < branchLength; j++)
            {
                var index = phase + j * up;
                var tap = index < taps.Length ? taps[index] : 0.0;
                branch[branchLength - 1 - j] = tap;
                sum += tap;
            }
            branches[phase] = [.. branch.Select(t => (float)(t / sum))];
        }
        return branches;
    }

    /// <summary>Kaiser-windowed sinc low-pass of 2*halfLength+1 taps, cutoff as a fraction of the Nyquist frequency.</summary>
    internal static double[] LowPass(int halfLength, double cutoff)
    {
        var length = 2 * halfLength + 1;
        var taps = new double[length];
        var norm = BesselI0(KaiserBeta);
        for (var n = 0; n < length; n++)
        {
            var t = n - halfLength;
            var x = cutoff * t;
            var sinc = t == 0 ? 1.0 : Math.Sin(Math.PI * x) / (Math.PI * x);
            var ratio = (double)t / halfLength;
            var window = BesselI0(KaiserBeta * Math.Sqrt(Math.Max(0.0, 1.0 - ratio * ratio))) / norm;
            taps[n] = cutoff * sinc * window;
        }
        return taps;
    }

    private static double BesselI0(double x)
    {
        // Power series; converges quickly for the small arguments of a Kaiser window.
        double sum = 1.0, term = 1.0, quarter = x * x / 4.0;
        for (var k = 1; k < 64 && term > 1e-17 * sum; k++)
        {
            term *= quarter / ((double)k * k);
            sum += term;
        }
        return sum;
    }

    internal static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var i = 0;
        var sum = 0f;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<float>.Count)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(a);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
            var acc = Vector<float>.Zero;
            for (var v = 0; v < va.Length; v++)
            {
                acc += va[v] * vb[v];
            }
            sum = Vector.Sum(acc);
            i = va.Length * Vector<float>.Count;
        }
        for (; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static (int Up, int Down) BestFraction(double value, int maxTerm)
    {
        // Continued-fraction convergents of value, keeping the last with both terms within maxTerm.
        long p0 = 0, q0 = 1, p1 = 1, q1 = 0;
        var x = value;
        var best = ((int)Math.Max(1, Math.Round(value)), 1);
        for (var k = 0; k < 64; k++)
        {
            var a = (long)Math.Floor(x);
            var p2 = a * p1 + p0;
            var q2 = a * q1 + q0;
            if (p2 > maxTerm || q2 > maxTerm)
            {
                break;
            }
            if (p2 > 0)
            {
                best = ((int)p2, (int)q2);
            }
            (p0, q0, p1, q1) = (p1, q1, p2, q2);
            var fraction = x - a;
            if (fraction < 1e-12)
            {
                break;
            }
            x = 1.0 / fraction;
        }
        return best;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }
        return a;
    }
}
