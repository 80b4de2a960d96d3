using System.Buffers;

namespace Hbac.Eeg.Windows;

/// <summary>
/// What a stream's successive windows share: the log powers of their FFT frames. Windows a whole number of
/// 2-s steps apart put frames at the same samples of the stream (13 per step, <see cref="EegWindow.FrameStart"/>),
/// and a frame's values depend only on the samples under it and the filter's 2 s before it, so each frame is
/// computed once, when it first falls in a window, and kept while a window can still use it. A window then
/// costs its new frames (13 per chain for a 2-s step, instead of 300) plus assembling and standardising the
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

    /// <summary>Windows computed from frames that earlier windows computed.</summary>
    public long Shared { get; private set; }

    /// <summary>
    /// The input of the window at <paramref name="start"/> of <paramref name="columns"/>, which is sample
    /// <paramref name="streamStart"/> of the stream: windows of one stream must come through one instance,
    /// oldest first, over the stream's own samples.
    /// </summary>
    public void Compute(IReadOnlyList<float[]?> columns, int start, long streamStart, Span<float> destination)
    {
        if (streamStart < 0 || streamStart % EegWindow.StepSamples != 0)
        {
            EegWindow.Compute(columns, start, destination);
            return;
        }
        var first = streamStart / EegWindow.StepSamples * EegWindow.FramesPerStep;
        var last = first + Columns - 1;
        // Frames from `known` on are new; a window that moved back or past every kept frame computes all of them.
        var known = _newest >= first && _newest <= last ? (int)(_newest - first + 1) : 0;
        var count = Columns - known;
        if (count > 0)
        {
            var scratch = ArrayPool<float>.Shared.Rent(Rows * count);
            try
            {
                var rows = new EegWindow.PlaneRows(scratch, count, 0);
                for (var chain = 0; chain < EegWindow.Chains; chain++)
                {
                    EegWindow.ChainLogPowers(columns, start, chain, known, count, rows);
                }
                var slot = (int)((first + known) % Columns);
                var beforeWrap = Math.Min(count, Columns - slot);
                for (var row = 0; row < Rows; row++)
                {
                    var values = scratch.AsSpan(row * count, count);
                    values[..beforeWrap].CopyTo(_ring.AsSpan(row * Columns + slot));
                    values[beforeWrap..].CopyTo(_ring.AsSpan(row * Columns));
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }
            _newest = last;
        }
        if (known > 0)
        {
            Shared++;
        }
        var oldest = (int)(first % Columns);
        var plane = destination[..EegWindow.PlaneSize];
        for (var row = 0; row < Rows; row++)
        {
            var ring = _ring.AsSpan(row * Columns, Columns);
            var target = plane.Slice(row * Columns, Columns);
            ring[oldest..].CopyTo(target);
            ring[..oldest].CopyTo(target[(Columns - oldest)..]);
        }
        EegWindow.Standardise(destination);
    }
}
