using System.Runtime.Intrinsics;
using Hbac.Eeg.Filters;
using Hbac.Eeg.Montage;
using Hbac.Eeg.Spectrograms;

namespace Hbac.Eeg.Windows;

/// <summary>
/// The EEG-window model's input (DESIGN.md section 9): the 50-s raw EEG window whose centre 10 s a
/// label describes (<c>eeg_label_offset_seconds</c>; a Kaggle test EEG is exactly such a window),
/// turned into a [3, 400, 300] image with the geometry of <see cref="SpectrogramWindow"/>, so the
/// same backbones, trainer and exporter serve both kinds:
/// <list type="number">
/// <item>the 16 double-banana chains (LL, RL, LP, RP, 4 each), NaN -> 0;</item>
/// <item>a causal 0.5-20 Hz Butterworth band-pass, started from rest at the window's first sample;</item>
/// <item>clipped to +-1024 uV and divided by 32;</item>
/// <item>per chain, 300 Hann-windowed 256-sample FFT frames spread evenly over the 50 s, the power of
/// bins 1-25 (0.78-19.5 Hz), natural log of (power + 1e-3): rows chain-major, low frequency first;</item>
/// <item>minus the window's mean, divided by (std + 1e-6): channel 0;</item>
/// <item>channel 1, each row minus the same row of the homologous chain on the other side (LL with RL,
/// LP with RP): the left-right difference that tells lateralised patterns (LPD, LRDA, focal seizures)
/// from generalised ones; channel 2 repeats channel 0. Measured on the default synthetic data (fold 0,
/// quick profile, temperature 1): validation KL 0.634, against 0.667 with 3 identical channels and 0.674
/// with the homologous row itself as channel 2.</item>
/// </list>
/// It depends only on the window's own samples, so a stream computing it from its last 50 s gets
/// exactly what training and offline scoring compute for the same samples, whatever the chunking.
/// </summary>
public static class EegWindow
{
    public const int SampleRateHz = KaggleMontage.SampleRateHz;
    public const int Seconds = 50;
    public const int Samples = Seconds * SampleRateHz;

    /// <summary>The labelled part: the centre 10 s of the window.</summary>
    public const int LabelledSeconds = 10;

    public const double LowHz = 0.5;
    public const double HighHz = 20;
    public const float ClipMicrovolts = 1024f;
    public const float Divisor = 32f;
    public const int FftSize = 256;
    public const int FirstBin = 1;
    public const int Bins = 25;
    public const double PowerFloor = 1e-3;

    /// <summary>
    /// Version of this computation, in the ONNX metadata's preprocessing entry: a model trained on another
    /// version would be fed inputs it never saw, so it is refused. 1 had 3 identical channels.
    /// </summary>
    public const string PreprocessingVersion = "2";

    public const int Chains = 16;
    public const int Channels = 3;
    public const int Rows = Chains * Bins;
    public const int Columns = 300;
    public const int PlaneSize = Rows * Columns;
    public const int Size = Channels * PlaneSize;

    private static readonly ButterworthBandPass BandPass = new(LowHz, HighHz, SampleRateHz);
    private static readonly Radix2Fft Fft = new(FftSize);

    // Periodic Hann, as scipy.signal.stft uses.
    private static readonly float[] Hann = Enumerable.Range(0, FftSize)
        .Select(n => (float)(0.5 - 0.5 * Math.Cos(2 * Math.PI * n / FftSize))).ToArray();

    /// <summary>Column indices (Kaggle EEG order) of each chain's electrodes, LL1..4, RL1..4, LP1..4, RP1..4.</summary>
    public static readonly IReadOnlyList<(int A, int B)> ChainColumns = KaggleMontage.RegionPairs
        .SelectMany(pairs => pairs)
        .Select(pair => (KaggleMontage.ColumnIndex(pair.A), KaggleMontage.ColumnIndex(pair.B)))
        .ToArray();

    /// <summary>"LL: Fp1-F7", ... for people and model cards.</summary>
    public static readonly IReadOnlyList<string> ChainNames = KaggleMontage.Regions
        .SelectMany((region, r) => KaggleMontage.RegionPairs[r].Select(p => $"{region}: {p.A}-{p.B}"))
        .ToArray();

    /// <summary>
    /// The left-right mirror of the image: row r of the flipped input is row <c>HemisphereMirror[r]</c>
    /// (LL with RL, LP with RP, the same chain position and frequency).
    /// </summary>
    public static readonly int[] HemisphereMirror = Enumerable.Range(0, Rows)
        .Select(row =>
        {
            var (chain, bin) = (row / Bins, row % Bins);
            var mirrored = (chain / 4) % 2 == 0 ? chain + 4 : chain - 4;
            return mirrored * Bins + bin;
        })
        .ToArray();

    /// <summary>First sample of FFT frame <paramref name="column"/>: 300 frames spread evenly from the first to the last full frame.</summary>
    public static int FrameStart(int column) => column * (Samples - FftSize) / (Columns - 1);

    /// <summary>First sample of the labelled window for a label offset in seconds (train.csv's eeg_label_offset_seconds).</summary>
    public static int StartSample(double offsetSeconds)
    {
        if (!double.IsFinite(offsetSeconds) || offsetSeconds < 0 || offsetSeconds > int.MaxValue / SampleRateHz)
        {
            throw new ArgumentOutOfRangeException(nameof(offsetSeconds), offsetSeconds, "an EEG offset must be a finite, non-negative number of seconds");
        }
        return (int)Math.Round(offsetSeconds * SampleRateHz);
    }

    /// <summary>The parameters a model card records, so a model says which input it was trained on.</summary>
    public static IReadOnlyDictionary<string, string> Parameters { get; } = new Dictionary<string, string>
    {
        ["input"] = "eeg",
        ["version"] = PreprocessingVersion,
        ["window_seconds"] = Seconds.ToString(),
        ["labelled_seconds"] = LabelledSeconds.ToString(),
        ["sample_rate_hz"] = SampleRateHz.ToString(),
        ["montage"] = string.Join(", ", ChainNames),
        ["band_pass_hz"] = $"{LowHz}-{HighHz} (causal Butterworth, 2nd-order high-pass and low-pass sections, from rest)",
        ["clip_microvolts"] = ClipMicrovolts.ToString(),
        ["divisor"] = Divisor.ToString(),
        ["fft"] = $"{FftSize}-sample periodic Hann, {Columns} frames spread over the window, bins {FirstBin}-{FirstBin + Bins - 1} ({FirstBin * (double)SampleRateHz / FftSize:0.##}-{(FirstBin + Bins - 1) * (double)SampleRateHz / FftSize:0.##} Hz)",
        ["scale"] = $"ln(power + {PowerFloor}), window mean 0 and std 1",
        ["channels"] = "0: the chains' log power; 1: channel 0 minus the homologous chain's row (LL-RL, LP-RP); 2: channel 0 again",
    };

    /// <summary>
    /// The input of the window starting at sample <paramref name="start"/> of <paramref name="columns"/>
    /// (Kaggle EEG order; at least the 19 electrodes; a missing electrode is null and reads as zeros).
    /// </summary>
    public static float[] Compute(IReadOnlyList<float[]?> columns, int start)
    {
        var result = new float[Size];
        Compute(columns, start, result);
        return result;
    }

    /// <inheritdoc cref="Compute(IReadOnlyList{float[]}, int)"/>
    /// <param name="kernel">How the FFT frames run: 8 at a time in one AVX register (default), or one by one (the reference).</param>
    public static void Compute(IReadOnlyList<float[]?> columns, int start, Span<float> destination, SpectrogramKernel kernel = SpectrogramKernel.Vectorized)
    {
        if (destination.Length != Size)
        {
            throw new ArgumentException($"destination holds {destination.Length} elements, expected {Size}", nameof(destination));
        }
        if (columns.Count < KaggleMontage.Electrodes.Count)
        {
            throw new ArgumentException($"{columns.Count} channels given, the montage needs the {KaggleMontage.Electrodes.Count} electrodes", nameof(columns));
        }
        var length = columns.FirstOrDefault(c => c is not null)?.Length ?? 0;
        if (start < 0 || start > length - Samples)
        {
            throw new ArgumentOutOfRangeException(nameof(start), start, $"a {Seconds}-s window from sample {start} does not fit in {length} samples");
        }

        var plane = destination[..PlaneSize];
        var (sum, sumOfSquares) = kernel == SpectrogramKernel.Vectorized
            ? LogPowersVectorized(columns, start, plane)
            : LogPowersScalar(columns, start, plane);
        var mean = sum / PlaneSize;
        var meanF = (float)mean;
        var divisor = (float)(Math.Sqrt(Math.Max(0, sumOfSquares / PlaneSize - mean * mean)) + SpectrogramWindow.StdEpsilon);
        for (var i = 0; i < plane.Length; i++)
        {
            plane[i] = (plane[i] - meanF) / divisor;
        }
        FillHemisphereChannels(destination);
    }

    /// <summary>The reference: chain by chain, one FFT frame at a time; returns the sum and sum of squares of the log powers.</summary>
    private static (double Sum, double SumOfSquares) LogPowersScalar(IReadOnlyList<float[]?> columns, int start, Span<float> plane)
    {
        var chain = new float[Samples];
        double sum = 0, sumOfSquares = 0;
        for (var c = 0; c < Chains; c++)
        {
            var (a, b) = ChainColumns[c];
            Bipolar(columns[a], columns[b], start, chain);
            BandPass.Apply(chain);
            for (var i = 0; i < chain.Length; i++)
            {
                chain[i] = Math.Clamp(chain[i], -ClipMicrovolts, ClipMicrovolts) / Divisor;
            }
            var powers = FramePowersScalar(chain);
            for (var bin = 0; bin < Bins; bin++)
            {
                var row = plane.Slice((c * Bins + bin) * Columns, Columns);
                for (var column = 0; column < Columns; column++)
                {
                    var value = (float)Math.Log(powers[column * Bins + bin] + PowerFloor);
                    row[column] = value;
                    sum += value;
                    sumOfSquares += (double)value * value;
                }
            }
        }
        return (sum, sumOfSquares);
    }

    /// <summary>
    /// <see cref="LogPowersScalar"/> with the same arithmetic per value, in the order that keeps the
    /// vector units busy: 4 chains band-passed at once (one per double lane), 8 FFT frames per transform,
    /// frames gathered straight from the chain, powers taken 4 lanes at a time into bin-major rows, the
    /// logarithm 8 at a time (<see cref="LogPowers"/>), and every buffer reused (per thread) instead of the
    /// ~1.2 MB a window would otherwise allocate. The sums run in the reference's order, so the
    /// normalisation is bit-identical too. About 0.6x the CPU time of the per-chain form it replaced.
    /// </summary>
    private static (double Sum, double SumOfSquares) LogPowersVectorized(IReadOnlyList<float[]?> columns, int start, Span<float> plane)
    {
        var scratch = t_scratch ??= new Scratch();
        const int lanes = ButterworthBandPass.Lanes;
        var interleaved = scratch.Lanes;
        double sum = 0, sumOfSquares = 0;
        // Four chains at a time from signal to log power, so a group's buffers stay in cache; the sums
        // still run chain by chain, in the reference's order.
        for (var c = 0; c < Chains; c += lanes)
        {
            // Chains side by side, sample by sample, for the 4-lane filter; then back, clipped, one chain each.
            for (var k = 0; k < lanes; k++)
            {
                var (a, b) = ChainColumns[c + k];
                Bipolar(columns[a], columns[b], start, interleaved, k, lanes);
            }
            BandPass.ApplyInterleaved(interleaved);
            for (var k = 0; k < lanes; k++)
            {
                var chain = scratch.Chains[k];
                for (var i = 0; i < Samples; i++)
                {
                    chain[i] = interleaved[i * lanes + k];
                }
                Clip(chain);
                FramePowersVectorized(chain, scratch);
                for (var bin = 0; bin < Bins; bin++)
                {
                    var row = plane.Slice(((c + k) * Bins + bin) * Columns, Columns);
                    LogPowers(scratch.Powers.AsSpan(bin * Scratch.PowerStride, Columns), row);
                    foreach (var value in row)
                    {
                        sum += value;
                        sumOfSquares += (double)value * value;
                    }
                }
            }
        }
        return (sum, sumOfSquares);
    }

    /// <summary>
    /// <c>(float)Math.Log(power + PowerFloor)</c> for a row, 8 at a time with the vector logarithm. Each
    /// result rounds to the same float as the scalar one: a lane whose double result lies within a
    /// relative 1e-12 of a point where the float rounding changes (the two logarithms differ by far less,
    /// about 1e-16: checked on 20 million values) is computed again with Math.Log; that is a few values per
    /// window.
    /// </summary>
    private static void LogPowers(ReadOnlySpan<double> powers, Span<float> row)
    {
        const double margin = 1e-12;
        var floor = Vector256.Create(PowerFloor);
        var i = 0;
        for (; i <= row.Length - 8; i += 8)
        {
            var low = Vector256.Log(Vector256.Create<double>(powers.Slice(i, 4)) + floor);
            var high = Vector256.Log(Vector256.Create<double>(powers.Slice(i + 4, 4)) + floor);
            var values = Vector256.Narrow(low, high);
            var (lowMargin, highMargin) = (Vector256.Abs(low) * margin, Vector256.Abs(high) * margin);
            var below = Vector256.Narrow(low - lowMargin, high - highMargin);
            var above = Vector256.Narrow(low + lowMargin, high + highMargin);
            values.CopyTo(row.Slice(i, 8));
            if (!Vector256.EqualsAll(below, above))
            {
                for (var k = 0; k < 8; k++)
                {
                    row[i + k] = (float)Math.Log(powers[i + k] + PowerFloor);
                }
            }
        }
        for (; i < row.Length; i++)
        {
            row[i] = (float)Math.Log(powers[i] + PowerFloor);
        }
    }

    // Math.Clamp then divide, 8 lanes at a time (Min/Max agree with Clamp for every finite and infinite value, -0 included).
    private static void Clip(Span<float> chain)
    {
        var low = Vector256.Create(-ClipMicrovolts);
        var high = Vector256.Create(ClipMicrovolts);
        var divisor = Vector256.Create(Divisor);
        var i = 0;
        for (; i <= chain.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var v = Vector256.Create<float>(chain.Slice(i, Vector256<float>.Count));
            (Vector256.Min(Vector256.Max(v, low), high) / divisor).CopyTo(chain.Slice(i, Vector256<float>.Count));
        }
        for (; i < chain.Length; i++)
        {
            chain[i] = Math.Clamp(chain[i], -ClipMicrovolts, ClipMicrovolts) / Divisor;
        }
    }

    [ThreadStatic]
    private static Scratch? t_scratch;

    /// <summary>The vectorised path's buffers, one set per thread (~0.4 MB).</summary>
    private sealed class Scratch
    {
        /// <summary>Row stride of <see cref="Powers"/>: a whole group of 8 frames is stored even past the last column.</summary>
        public const int PowerStride = Columns + 8;

        public readonly float[][] Chains = Enumerable.Range(0, ButterworthBandPass.Lanes).Select(_ => new float[Samples]).ToArray();
        public readonly double[] Powers = new double[Bins * PowerStride];
        public readonly float[] Lanes = new float[ButterworthBandPass.Lanes * Samples];
        public readonly Vector256<float>[] Re = new Vector256<float>[FftSize];
        public readonly Vector256<float>[] Im = new Vector256<float>[FftSize];
    }

    /// <summary>
    /// Channels 1 and 2 from channel 0 (the normalised log power): the left-right difference and channel 0
    /// again. Window sources keep channel 0 only and fill these on each read.
    /// </summary>
    public static void FillHemisphereChannels(Span<float> input)
    {
        if (input.Length != Size)
        {
            throw new ArgumentException($"input holds {input.Length} elements, expected {Size}", nameof(input));
        }
        var power = input[..PlaneSize];
        var difference = input.Slice(PlaneSize, PlaneSize);
        power.CopyTo(input.Slice(2 * PlaneSize, PlaneSize));
        for (var row = 0; row < Rows; row++)
        {
            var own = power.Slice(row * Columns, Columns);
            var other = power.Slice(HemisphereMirror[row] * Columns, Columns);
            var target = difference.Slice(row * Columns, Columns);
            for (var column = 0; column < Columns; column++)
            {
                target[column] = own[column] - other[column];
            }
        }
    }

    /// <summary>Power of bins FirstBin.. of every frame, [column, bin], one FFT at a time.</summary>
    private static double[] FramePowersScalar(float[] chain)
    {
        var powers = new double[Columns * Bins];
        var re = new float[FftSize];
        var im = new float[FftSize];
        for (var column = 0; column < Columns; column++)
        {
            var frame = chain.AsSpan(FrameStart(column), FftSize);
            for (var n = 0; n < FftSize; n++)
            {
                re[n] = frame[n] * Hann[n];
            }
            Array.Clear(im);
            Fft.Transform(re, im);
            for (var bin = 0; bin < Bins; bin++)
            {
                // Transform leaves bin k at its bit-reversed position.
                var at = Fft.BitReverse[FirstBin + bin];
                powers[column * Bins + bin] = (double)re[at] * re[at] + (double)im[at] * im[at];
            }
        }
        return powers;
    }

    /// <summary>
    /// As <see cref="FramePowersScalar"/>, one frame per vector lane (the same arithmetic per lane), into
    /// <see cref="Scratch.Powers"/> [bin, column]. The last group's spare lanes repeat the last frame; their
    /// powers land past the row's end and are never read. (16 lanes with AVX-512 measured no faster: 1.94
    /// against 1.97 ms CPU per window, alternating runs on this machine.)
    /// </summary>
    private static void FramePowersVectorized(float[] chain, Scratch scratch) =>
        FramePowers<Vector256<float>, Vector256Lanes>(chain, scratch.Re, scratch.Im, scratch.Powers);

    private static void FramePowers<T, TLanes>(float[] chain, T[] re, T[] im, double[] powers)
        where T : struct
        where TLanes : IFrameLanes<T>
    {
        var lanes = TLanes.Count;
        Span<int> starts = stackalloc int[lanes];
        for (var first = 0; first < Columns; first += lanes)
        {
            for (var k = 0; k < lanes; k++)
            {
                starts[k] = FrameStart(Math.Min(first + k, Columns - 1));
            }
            for (var n = 0; n < FftSize; n++)
            {
                re[n] = TLanes.Gather(chain, starts, n, Hann[n]);
                im[n] = default;
            }
            Fft.Transform<T, TLanes>(re, im);
            for (var bin = 0; bin < Bins; bin++)
            {
                var at = Fft.BitReverse[FirstBin + bin];
                TLanes.StorePowers(re[at], im[at], powers.AsSpan(bin * Scratch.PowerStride + first, lanes));
            }
        }
    }

    private static void Bipolar(float[]? a, float[]? b, int start, Span<float> chain) => Bipolar(a, b, start, chain, 0, 1);

    // a - b from sample start on (NaN, infinity and a missing electrode read as 0) into every
    // stride-th value of destination from offset on.
    private static void Bipolar(float[]? a, float[]? b, int start, Span<float> destination, int offset, int stride)
    {
        for (var i = 0; i < Samples; i++)
        {
            var x = a is null ? 0f : a[start + i];
            var y = b is null ? 0f : b[start + i];
            var d = x - y;
            destination[i * stride + offset] = float.IsFinite(d) ? d : 0f;
        }
    }
}
