namespace Hbac.Eeg.Windows;

/// <summary>
/// What a stream's successive windows share: the log powers of their FFT frames. Windows a whole number of
/// 2-s steps apart put frames at the same samples of the stream (14 per step, <see cref="EegWindow.FrameStart"/>),
/// and a frame's values depend only on the samples under it and the filter's 2 s before it, so each frame is
/// computed once, when it first falls in a window, and kept while a window can still use it. A window then
/// costs its new frames (14 per chain for a 2-s step, instead of 300, each filtering only the samples the previous
/// frames did not: <see cref="EegWindow.FilteredTails"/>) plus assembling and standardising the
/// plane, and gives exactly what <see cref="EegWindow.Compute(IReadOnlyList{float[]}, int, Span{float}, Spectrograms.SpectrogramKernel)"/>
/// gives for the same samples. A window off the shared grid (a start that is not a whole number of steps
/// into the stream) is computed whole.
/// </summary>
public sealed class EegWindowFrames
{
    private const int Rows = EegWindow.Rows;
    private const int Columns = EegWindow.Columns;

    // The 300 newest frames' log powers as a plane whose columns rotate: frame id f sits in column f % 300.
    private readonly float[] _ring = new float[Rows * Columns];
    private long _newest = -1;
    private readonly EegWindow.FilteredTails _tails = new();

    /// <summary>Band-passed samples computed so far, over all chains: each sample once in a stream on the step grid.</summary>
    public long FilteredSamples => _tails.Filtered;

    /// <summary>Windows computed from frames computed before them (by earlier windows, or ahead by <see cref="Prepare"/>).</summary>
    public long Shared { get; private set; }

    /// <summary>
    /// Computes ahead the frames of the window starting at <paramref name="start"/> (stream sample
    /// <paramref name="streamStart"/>) whose samples are among the <paramref name="available"/> held from
    /// <paramref name="start"/> on, so the window costs only its last frames once its last sample arrives (a
    /// stream's first window, after a burst of 49 s, would otherwise compute all 300 at once). Frames are computed
    /// once at least a step's worth (14) is ready, so small chunks do not compute them one at a time.
    /// </summary>
    public void Prepare(IReadOnlyList<float[]?> columns, int start, long streamStart, int available)
    {
        if (streamStart < 0 || streamStart % EegWindow.StepSamples != 0)
        {
            return;
        }
        var first = streamStart / EegWindow.StepSamples * EegWindow.FramesPerStep;
        var known = Known(first);
        var ready = known;
        while (ready < Columns && EegWindow.FrameStart(ready) + EegWindow.FftSize <= available)
        {
            ready++;
        }
        // A step's worth at a time: the FFT runs 8 frames per AVX register, and each call re-reads the 800 raw
        // samples of the filter's history (the filtered overlap with earlier frames is kept, not recomputed).
        if (ready - known >= EegWindow.FramesPerStep)
        {
            ComputeFrames(columns, start, streamStart, first, known, ready - known);
        }
    }

    /// <summary>
    /// The input of the window at <paramref name="start"/> of <paramref name="columns"/>, which is sample
    /// <paramref name="streamStart"/> of the stream: windows of one stream must come through one instance,
    /// oldest first, over the stream's own samples.
    /// </summary>
    /// <param name="pooled">The model's input pool (null: none): <paramref name="destination"/> gets the pooled input
    /// (<see cref="InputPooling.Size"/> floats), the same floats as <see cref="InputPooling.Pool"/> of the whole one.</param>
    public void Compute(IReadOnlyList<float[]?> columns, int start, long streamStart, Span<float> destination, InputPooling? pooled = null)
    {
        var pooling = pooled ?? InputPooling.None;
        if (destination.Length != pooling.Size)
        {
            throw new ArgumentException($"destination holds {destination.Length} elements, expected {pooling.Size} ({pooling} pooled)", nameof(destination));
        }
        if (streamStart < 0 || streamStart % EegWindow.StepSamples != 0)
        {
            if (pooling.IsNone)
            {
                EegWindow.Compute(columns, start, destination);
                return;
            }
            var whole = t_whole ??= new float[EegWindow.Size];
            EegWindow.Compute(columns, start, whole);
            pooling.Pool(whole, 1, destination);
            return;
        }
        var first = streamStart / EegWindow.StepSamples * EegWindow.FramesPerStep;
        var known = Known(first);
        if (known < Columns)
        {
            ComputeFrames(columns, start, streamStart, first, known, Columns - known);
        }
        if (known > 0)
        {
            Shared++;
        }
        var oldest = (int)(first % Columns);
        // Pooled: the standardised plane is only a step on the way, kept per thread rather than per stream.
        var plane = pooling.IsNone ? destination[..EegWindow.PlaneSize] : (t_plane ??= new float[EegWindow.PlaneSize]);
        for (var row = 0; row < Rows; row++)
        {
            var ring = _ring.AsSpan(row * Columns, Columns);
            var target = plane.Slice(row * Columns, Columns);
            ring[oldest..].CopyTo(target);
            ring[..oldest].CopyTo(target[(Columns - oldest)..]);
        }
        if (pooling.IsNone)
        {
            EegWindow.Standardise(destination);
        }
        else
        {
            EegWindow.StandardisePooled(plane, pooling, destination);
        }
    }

    [ThreadStatic]
    private static float[]? t_plane;

    [ThreadStatic]
    private static float[]? t_whole;
    // Frames first .. first + Known - 1 are in the ring (they follow one another up to the newest computed);
    // a window that moved back, or past every kept frame, knows none.
    private int Known(long first) =>
        _newest >= first - 1 && _newest < first + Columns ? (int)(_newest - first + 1) : 0;

    private void ComputeFrames(IReadOnlyList<float[]?> columns, int start, long streamStart, long first, int from, int count)
    {
        // Straight into the ring's columns (no buffer per call: hundreds of streams would churn the large-object
        // heap), in two runs where the new frames wrap past its last column.
        var slot = (int)((first + from) % Columns);
        var beforeWrap = Math.Min(count, Columns - slot);
        for (var chain = 0; chain < EegWindow.Chains; chain++)
        {
            EegWindow.ChainLogPowers(columns, start, chain, from, beforeWrap, new EegWindow.PlaneRows(_ring, Columns, slot),
                tails: _tails, streamStart: streamStart);
            if (beforeWrap < count)
            {
                EegWindow.ChainLogPowers(columns, start, chain, from + beforeWrap, count - beforeWrap, new EegWindow.PlaneRows(_ring, Columns, 0),
                    tails: _tails, streamStart: streamStart);
            }
        }
        _newest = first + from + count - 1;
    }
}
