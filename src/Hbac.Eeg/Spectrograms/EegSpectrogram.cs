using Hbac.Eeg.Formats;
using Hbac.Eeg.Montage;

namespace Hbac.Eeg.Spectrograms;

/// <summary>
/// Transform 7: raw 200-Hz EEG -> Kaggle-layout spectrogram [400, T] (LL, RL, LP, RP x bins 3..102).
/// Column k is centred on sample 400 k (time 2k s); T = ceil(samples / 400), one column for every centre
/// inside the recording. Each bipolar signal's 1024-sample segment around the centre has the mean of its
/// samples inside the recording subtracted, is multiplied by a periodic Hann window and zero-padded where
/// it reaches past either end (padding after mean subtraction: a DC offset does not turn the recording's
/// edges into steps); NaN samples count as 0. Power = |rfft|^2 / (200 * sum(w^2)), averaged over the
/// region's 4 pairs. <see cref="EegSpectrogramStream"/> computes the same columns incrementally.
/// </summary>
public static class EegSpectrogram
{
    /// <summary>Columns per block handed to one thread: large enough that rebuilding the 1024-sample overlap costs little.</summary>
    private const int BlockColumns = 16;

    /// <summary>Columns of a recording of <paramref name="samples"/> samples: ceil(samples / 400).</summary>
    public static int ColumnCount(long samples) =>
        samples <= 0 ? 0 : checked((int)((samples - 1) / SpectrogramLayout.HopSamples + 1));

    /// <summary>
    /// The spectrogram of a recording read chunk by chunk (<see cref="EegSpectrogramStream"/>, bit-identical to
    /// <see cref="Compute(EegRecording)"/> of the whole): a day-long EDF of any rate costs its [400, T] output, not
    /// its samples. <paramref name="progress"/> gets the seconds read so far.
    /// </summary>
    public static Spectrogram Compute(ChunkedRecording recording, Action<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var stream = new EegSpectrogramStream();
        var parts = new List<Spectrogram>();
        double read = 0;
        foreach (var chunk in recording.Chunks(60))
        {
            cancellationToken.ThrowIfCancellationRequested();
            parts.Add(stream.Append(chunk));
            read += chunk[0].Length / (double)KaggleMontage.SampleRateHz;
            progress?.Invoke(read);
        }
        parts.Add(stream.Complete());
        var columns = parts.Sum(p => p.Columns);
        var values = new float[SpectrogramLayout.Rows * columns];
        var at = 0;
        foreach (var part in parts)
        {
            for (var row = 0; row < SpectrogramLayout.Rows; row++)
            {
                part.Row(row).CopyTo(values.AsSpan(row * columns + at));
            }
            at += part.Columns;
        }
        return new Spectrogram(values, [.. parts.SelectMany(p => p.Times)]);
    }

    /// <summary>The spectrogram of a whole recording, on all cores with the vectorised kernel.</summary>
    public static Spectrogram Compute(EegRecording recording) =>
        Compute(recording, SpectrogramKernel.Vectorized, maxDegreeOfParallelism: -1);

    /// <summary>
    /// The spectrogram of a whole recording. <paramref name="maxDegreeOfParallelism"/>: -1 for all cores,
    /// 1 for the calling thread only. Every choice gives bit-identical values.
    /// </summary>
    public static Spectrogram Compute(EegRecording recording, SpectrogramKernel kernel, int maxDegreeOfParallelism)
    {
        if (maxDegreeOfParallelism is 0 or < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism, "must be -1 (all cores) or positive");
        }
        var channels = MontageChannels(recording);
        var length = recording.Length;
        var columns = ColumnCount(length);
        var values = new float[SpectrogramLayout.Rows * columns];
        var times = new float[columns];
        for (var k = 0; k < columns; k++)
        {
            times[k] = (float)(k * SpectrogramLayout.SecondsPerColumn);
        }
        var blocks = (columns + BlockColumns - 1) / BlockColumns;
        if (maxDegreeOfParallelism == 1 || blocks <= 1)
        {
            var workspace = new BlockWorkspace(kernel);
            for (var block = 0; block < blocks; block++)
            {
                workspace.Run(channels, length, block * BlockColumns, Math.Min(columns, (block + 1) * BlockColumns), values, columns);
            }
        }
        else
        {
            Parallel.For(
                0,
                blocks,
                new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism },
                () => new BlockWorkspace(kernel),
                (block, _, workspace) =>
                {
                    workspace.Run(channels, length, block * BlockColumns, Math.Min(columns, (block + 1) * BlockColumns), values, columns);
                    return workspace;
                },
                _ => { });
        }
        return new Spectrogram(values, times);
    }

    /// <summary>
    /// The recording's channels in <see cref="KaggleMontage.Columns"/> order, after checking the sample rate and
    /// the 16 chain electrodes; the slots of Fz, Cz, Pz and EKG, which no chain reads, may be empty.
    /// </summary>
    internal static float[][] MontageChannels(EegRecording recording)
    {
        if (Math.Abs(recording.SampleRateHz - KaggleMontage.SampleRateHz) > 1e-9)
        {
            throw new EegDataException(
                $"EEG at {recording.SampleRateHz} Hz: the spectrogram needs {KaggleMontage.SampleRateHz} Hz (resample first)");
        }
        var channels = new float[KaggleMontage.Columns.Count][];
        var missing = new List<string>();
        for (var c = 0; c < KaggleMontage.Electrodes.Count; c++)
        {
            var samples = recording.Channel(KaggleMontage.Electrodes[c]);
            if (samples is null && KaggleMontage.InChain(KaggleMontage.Electrodes[c]))
            {
                missing.Add(KaggleMontage.Electrodes[c]);
            }
            channels[c] = samples ?? [];
        }
        if (missing.Count > 0)
        {
            throw new EegDataException(
                $"EEG lacks electrode{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} needed for the spectrogram montage");
        }
        channels[^1] = [];
        return channels;
    }

    /// <summary>Frames and FFT scratch of one thread.</summary>
    private sealed class BlockWorkspace(SpectrogramKernel kernel)
    {
        private readonly ColumnTransform _transform = ColumnTransform.Create(kernel);
        private readonly float[] _frames =
            new float[((BlockColumns - 1) * SpectrogramLayout.HopSamples + SpectrogramLayout.FftSize) * BipolarFrames.Width];

        public void Run(float[][] channels, int length, int firstColumn, int endColumn, float[] values, int columns)
        {
            const int hop = SpectrogramLayout.HopSamples;
            const int halfWindow = SpectrogramLayout.FftSize / 2;
            var start = (long)firstColumn * hop - halfWindow;
            var frameCount = (endColumn - firstColumn - 1) * hop + SpectrogramLayout.FftSize;
            BipolarFrames.FromChannels(channels, length, start, frameCount, _frames);
            for (var k = firstColumn; k < endColumn; k++)
            {
                var offset = (k - firstColumn) * hop;
                var (lo, hi) = InsideRange(k, length);
                _transform.Transform(
                    _frames.AsSpan(offset * BipolarFrames.Width, SpectrogramLayout.FftSize * BipolarFrames.Width),
                    lo, hi, values.AsSpan(k), columns);
            }
        }
    }

    /// <summary>The part [lo, hi) of column k's 1024-sample segment that lies inside a recording of the given length.</summary>
    internal static (int Lo, int Hi) InsideRange(int column, long length)
    {
        var start = (long)column * SpectrogramLayout.HopSamples - SpectrogramLayout.FftSize / 2;
        var lo = (int)Math.Max(0, -start);
        var hi = (int)Math.Min(SpectrogramLayout.FftSize, length - start);
        return (lo, hi);
    }
}
