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
/// <item>a 0.5-20 Hz linear-phase FIR band-pass (<see cref="FirBandPass"/>, 801 taps = 4 s, Hamming-windowed
/// sinc, -6 dB at 0.5 Hz): a filtered sample depends on the 4 s of signal ending at it and on nothing earlier;</item>
/// <item>clipped to +-1024 uV and divided by 32;</item>
/// <item>per chain, 300 Hann-windowed 256-sample FFT frames, frame k starting at filtered sample
/// 1001 + floor(400 k / 14): 14 frames per 2 s, so a window 2 s (or any whole number of 2 s) later shares all
/// but its newest frames with this one and a stream computes only those (<see cref="EegWindowFrames"/>). The
/// frames cover the window's filtered samples 1001-9799, which describe the signal 400 samples (the filter's
/// delay) earlier: 3.0-47.0 s of the 50, centred on the labelled 10 s. Power of bins 1-25 (0.78-19.5 Hz),
/// natural log of (power + 1e-3): rows chain-major, low frequency first;</item>
/// <item>minus the window's mean, divided by (std + 1e-6): channel 0;</item>
/// <item>channel 1, each row minus the same row of the homologous chain on the other side (LL with RL,
/// LP with RP): the left-right difference that tells lateralised patterns (LPD, LRDA, focal seizures)
/// from generalised ones; channel 2 repeats channel 0. Measured on the default synthetic data (fold 0,
/// quick profile, temperature 1): validation KL 0.634, against 0.667 with 3 identical channels and 0.674
/// with the homologous row itself as channel 2.</item>
/// </list>
/// It depends only on the window's own samples, so a stream computing it from its last 50 s gets
/// exactly what training and offline scoring compute for the same samples, whatever the chunking.
/// Version 2 filtered with a causal Butterworth IIR started from rest at the window's first sample and spread
/// the frames evenly over the window: nothing could be shared between a stream's windows, and each cost a
/// whole window's 4,800 FFT frames.
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
    /// version would be fed inputs it never saw, so it is refused. 1 had 3 identical channels; 2 an IIR
    /// band-pass from rest at the window's start and frames spread evenly over the window.
    /// </summary>
    public const string PreprocessingVersion = "3";

    public const int Chains = 16;
    public const int Channels = 3;
    public const int Rows = Chains * Bins;
    public const int Columns = 300;
    public const int PlaneSize = Rows * Columns;
    public const int Size = Channels * PlaneSize;

    /// <summary>
    /// FIR length: 4 s, for a 0.5-Hz edge that passes 0.78 Hz (bin 1) at 0.95. With 401 taps (0.74 there, 13 frames
    /// per step from sample 472) the quick EEG model's validation KL was worse on folds 1 and 2 and with seed 7
    /// (0.644 / 0.701 / 0.706 against 0.628 / 0.666 / 0.665), better on fold 0 (0.637 against 0.642).
    /// </summary>
    public const int FilterTaps = 801;

    /// <summary>A stream's step between replies, in samples (2 s); frames repeat every step.</summary>
    public const int StepSamples = 2 * SampleRateHz;

    /// <summary>FFT frames per <see cref="StepSamples"/>: windows a whole number of steps apart share frames.</summary>
    public const int FramesPerStep = 14;

    /// <summary>First sample of frame 0 in the window: the frames' centre, less the filter's delay, is the window's centre.</summary>
    public const int FirstFrameSample = 1001;

    public static readonly FirBandPass Filter = new(LowHz, HighHz, SampleRateHz, FilterTaps);
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

    /// <summary>First sample of FFT frame <paramref name="column"/> in the window: 14 frames per 2 s from sample 1001 on.</summary>
    public static int FrameStart(int column) => FirstFrameSample + column * StepSamples / FramesPerStep;

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
        ["band_pass_hz"] = $"{LowHz}-{HighHz} (linear-phase FIR, {FilterTaps} taps, Hamming-windowed sinc)",
        ["clip_microvolts"] = ClipMicrovolts.ToString(),
        ["divisor"] = Divisor.ToString(),
        ["fft"] = $"{FftSize}-sample periodic Hann, {Columns} frames, frame k from filtered sample {FirstFrameSample} + floor({StepSamples} k / {FramesPerStep}), bins {FirstBin}-{FirstBin + Bins - 1} ({FirstBin * (double)SampleRateHz / FftSize:0.##}-{(FirstBin + Bins - 1) * (double)SampleRateHz / FftSize:0.##} Hz)",
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
        var rows = new PlaneRows(plane, Columns, 0);
        for (var chain = 0; chain < Chains; chain++)
        {
            ChainLogPowers(columns, start, chain, 0, Columns, rows, kernel);
        }
        Standardise(destination);
    }

    /// <summary>
    /// Channel 0 standardised over the window (minus the mean, divided by std + 1e-6), then channels 1 and 2
    /// from it. The sums run in double, in 8 fixed lanes over the plane in its order (value i in lane i % 8),
    /// the lanes added last, 0 to 7: one fixed order for every caller.
    /// </summary>
    internal static void Standardise(Span<float> destination)
    {
        StandardisePlane(destination[..PlaneSize]);
        FillHemisphereChannels(destination);
    }

    /// <summary>
    /// The pooled model input of a window whose channel 0 (not yet standardised) is <paramref name="plane"/>:
    /// the plane is standardised in place as <see cref="Standardise"/> does, then <paramref name="destination"/>
    /// (<see cref="InputPooling.Size"/> floats, which the caller checked) gets [3, 400 / rows, 300 / columns], exactly <see cref="InputPooling.Pool"/> of the whole input (channel 1,
    /// the left-right difference, is summed as it is formed and never written whole).
    /// </summary>
    internal static void StandardisePooled(Span<float> plane, InputPooling pooling, Span<float> destination)
    {
        StandardisePlane(plane);
        var size = pooling.PooledHeight * pooling.PooledWidth;
        var power = destination[..size];
        pooling.PoolPlane(plane, power);
        pooling.PoolDifference(plane, plane, HemisphereMirror, destination.Slice(size, size));
        power.CopyTo(destination.Slice(2 * size, size));
    }

    private static void StandardisePlane(Span<float> plane)
    {
        Vector256<double> sumLow = default, sumHigh = default, squaresLow = default, squaresHigh = default;
        for (var i = 0; i < PlaneSize; i += Vector256<float>.Count)
        {
            var values = Vector256.Create<float>(plane.Slice(i, Vector256<float>.Count));
            var (low, high) = (Vector256.WidenLower(values), Vector256.WidenUpper(values));
            sumLow += low;
            sumHigh += high;
            squaresLow += low * low;
            squaresHigh += high * high;
        }
        static double Total(Vector256<double> low, Vector256<double> high)
        {
            var total = 0.0;
            for (var lane = 0; lane < 4; lane++)
            {
                total += low[lane];
            }
            for (var lane = 0; lane < 4; lane++)
            {
                total += high[lane];
            }
            return total;
        }
        var sum = Total(sumLow, sumHigh);
        var sumOfSquares = Total(squaresLow, squaresHigh);
        var mean = sum / PlaneSize;
        var meanF = (float)mean;
        var divisor = (float)(Math.Sqrt(Math.Max(0, sumOfSquares / PlaneSize - mean * mean)) + SpectrogramWindow.StdEpsilon);
        var (meanV, divisorV) = (Vector256.Create(meanF), Vector256.Create(divisor));
        for (var i = 0; i < PlaneSize; i += Vector256<float>.Count)
        {
            var span = plane.Slice(i, Vector256<float>.Count);
            ((Vector256.Create<float>(span) - meanV) / divisorV).CopyTo(span);
        }
    }

    /// <summary>Where <see cref="ChainLogPowers"/> writes: row (chain, bin) starts at row * stride + offset.</summary>
    internal readonly ref struct PlaneRows
    {
        private readonly Span<float> _values;
        private readonly int _stride;
        private readonly int _offset;

        public PlaneRows(Span<float> values, int stride, int offset)
        {
            _values = values;
            _stride = stride;
            _offset = offset;
        }

        public Span<float> Row(int chain, int bin, int count) => _values.Slice((chain * Bins + bin) * _stride + _offset, count);
    }

    /// <summary>
    /// The log powers of frames <paramref name="firstFrame"/> .. + <paramref name="count"/> of one chain of the
    /// window starting at sample <paramref name="start"/>: its bipolar signal over just the samples those frames
    /// need, band-passed, clipped and scaled, then FFT frames (one at a time for the reference kernel, 8 per AVX
    /// register otherwise: the same arithmetic per frame) and the logarithm. Every value depends only on the
    /// samples under its own frame and the filter's 2 s before it, so computing some frames of a window gives
    /// what computing all of them gives.
    /// </summary>
    /// <param name="tails">A stream's filtered samples after its last frames (null: filter every sample the frames need);
    /// <paramref name="streamStart"/> is the window's first sample in that stream.</param>
    internal static void ChainLogPowers(IReadOnlyList<float[]?> columns, int start, int chain, int firstFrame, int count, PlaneRows rows,
        SpectrogramKernel kernel = SpectrogramKernel.Vectorized, FilteredTails? tails = null, long streamStart = 0)
    {
        var scratch = t_scratch ??= new Scratch();
        var from = FrameStart(firstFrame);
        var to = FrameStart(firstFrame + count - 1) + FftSize;
        var filtered = scratch.Filtered.AsSpan(0, to - from);
        var reused = tails?.Take(chain, streamStart + from, streamStart + to, filtered) ?? 0;
        var filterFrom = from + reused;
        var rawFrom = filterFrom - (FilterTaps - 1);
        var (a, b) = ChainColumns[chain];
        var raw = scratch.Raw.AsSpan(0, to - rawFrom);
        Bipolar(columns[a], columns[b], start + rawFrom, raw);
        var fresh = filtered[reused..];
        Filter.Apply(raw, FilterTaps - 1, raw.Length, fresh);
        Clip(fresh);
        tails?.Keep(chain, streamStart + to, filtered, fresh.Length);
        Span<int> starts = stackalloc int[count];
        for (var k = 0; k < count; k++)
        {
            starts[k] = FrameStart(firstFrame + k) - from;
        }
        if (kernel == SpectrogramKernel.Vectorized)
        {
            FramePowers<Vector256<float>, Vector256Lanes>(scratch.Filtered, starts, scratch.Re, scratch.Im, scratch.Powers);
            for (var bin = 0; bin < Bins; bin++)
            {
                LogPowers(scratch.Powers.AsSpan(bin * Scratch.PowerStride, count), rows.Row(chain, bin, count));
            }
            return;
        }
        var powers = FramePowersScalar(scratch.Filtered, starts);
        for (var bin = 0; bin < Bins; bin++)
        {
            var row = rows.Row(chain, bin, count);
            for (var k = 0; k < count; k++)
            {
                row[k] = (float)Math.Log(powers[k * Bins + bin] + PowerFloor);
            }
        }
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

    /// <summary>
    /// A stream's band-passed, clipped and scaled samples at the end of the frames it computed last, per chain:
    /// consecutive frames overlap by <see cref="FftSize"/> minus 28 samples, so the next frames filter only the
    /// samples after these (re-filtering them was a third of a 2-s step's filter work, and more in a burst of
    /// small chunks). An FIR output is the same float however outputs are grouped (<see cref="FirBandPass.Apply"/>),
    /// so a kept sample is the one filtering it anew would give.
    /// </summary>
    internal sealed class FilteredTails
    {
        private readonly float[] _values = new float[Chains * FftSize];
        private readonly long[] _end = Enumerable.Repeat(-1L, Chains).ToArray();

        /// <summary>Filtered samples computed so far (the kept ones not counted again), for tests and benchmarks.</summary>
        public long Filtered { get; private set; }

        /// <summary>
        /// Copies the kept samples from stream sample <paramref name="from"/> on into <paramref name="destination"/>
        /// and returns how many; 0 when the kept ones do not start the range [from, to).
        /// </summary>
        public int Take(int chain, long from, long to, Span<float> destination)
        {
            var end = _end[chain];
            if (end <= from || end - FftSize > from || end > to)
            {
                return 0;
            }
            var count = (int)(end - from);
            _values.AsSpan(chain * FftSize + FftSize - count, count).CopyTo(destination);
            return count;
        }

        /// <summary>Keeps the last <see cref="FftSize"/> samples of <paramref name="filtered"/>, which ends at stream sample <paramref name="end"/>.</summary>
        public void Keep(int chain, long end, ReadOnlySpan<float> filtered, int computed)
        {
            filtered[^FftSize..].CopyTo(_values.AsSpan(chain * FftSize, FftSize));
            _end[chain] = end;
            Filtered += computed;
        }
    }

    /// <summary>A window's chain buffers (raw, filtered, powers, FFT lanes), one set per thread (~0.16 MB).</summary>
    private sealed class Scratch
    {
        /// <summary>Row stride of <see cref="Powers"/>: a whole group of 8 frames is stored even past the last column.</summary>
        public const int PowerStride = Columns + 8;

        public readonly float[] Raw = new float[Samples];
        // Spare room past the frames' end: the last group's repeated frames read nothing beyond it.
        public readonly float[] Filtered = new float[Samples];
        public readonly double[] Powers = new double[Bins * PowerStride];
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
            var column = 0;
            for (; column <= Columns - Vector256<float>.Count; column += Vector256<float>.Count)
            {
                (Vector256.Create<float>(own.Slice(column, Vector256<float>.Count)) - Vector256.Create<float>(other.Slice(column, Vector256<float>.Count)))
                    .CopyTo(target.Slice(column, Vector256<float>.Count));
            }
            for (; column < Columns; column++)
            {
                target[column] = own[column] - other[column];
            }
        }
    }

    /// <summary>Power of bins FirstBin.. of the frames starting at <paramref name="starts"/> of <paramref name="chain"/>, [frame, bin], one FFT at a time.</summary>
    private static double[] FramePowersScalar(float[] chain, ReadOnlySpan<int> starts)
    {
        var powers = new double[starts.Length * Bins];
        var re = new float[FftSize];
        var im = new float[FftSize];
        for (var k = 0; k < starts.Length; k++)
        {
            var frame = chain.AsSpan(starts[k], FftSize);
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
                powers[k * Bins + bin] = (double)re[at] * re[at] + (double)im[at] * im[at];
            }
        }
        return powers;
    }

    /// <summary>
    /// As <see cref="FramePowersScalar"/>, one frame per vector lane (the same arithmetic per lane), into
    /// <see cref="Scratch.Powers"/> [bin, frame]. The last group's spare lanes repeat the last frame; their
    /// powers land past the row's end and are never read. (16 lanes with AVX-512 measured no faster: 1.94
    /// against 1.97 ms CPU per window, alternating runs on this machine.)
    /// </summary>
    private static void FramePowers<T, TLanes>(float[] chain, ReadOnlySpan<int> frameStarts, T[] re, T[] im, double[] powers)
        where T : struct
        where TLanes : IFrameLanes<T>
    {
        var lanes = TLanes.Count;
        Span<int> starts = stackalloc int[lanes];
        for (var first = 0; first < frameStarts.Length; first += lanes)
        {
            for (var k = 0; k < lanes; k++)
            {
                starts[k] = frameStarts[Math.Min(first + k, frameStarts.Length - 1)];
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

    // a - b from sample start on (NaN, infinity and a missing electrode read as 0), as many as destination holds.
    private static void Bipolar(float[]? a, float[]? b, int start, Span<float> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            var x = a is null ? 0f : a[start + i];
            var y = b is null ? 0f : b[start + i];
            var d = x - y;
            destination[i] = float.IsFinite(d) ? d : 0f;
        }
    }
}
