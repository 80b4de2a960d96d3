namespace Hbac.Eeg.Windows;

/// <summary>
/// An average pool over non-overlapping blocks of <see cref="Rows"/> x <see cref="Columns"/> of a
/// [3, 400, 300] model input, the first thing a model with an input pool computes (the quick EEG profile's
/// 1 x 30, the quick spectrogram profile's 6 x 6). A server that knows it can hand the model the pooled
/// [3, 400 / Rows, 300 / Columns] input instead: 30x (36x) fewer values to fill, copy into a batch and read.
/// Division rounds down: rows or columns left over that fill no block (6 x 6 leaves the last 4 of 400
/// rows, 8 x 8 the last 4 of 300 columns) are dropped, as ONNX's AveragePool without padding drops them (ceil_mode 0). <see cref="Pool"/>
/// is the one arithmetic for it (each block summed in row-major order from 0, then divided by its size),
/// so a stream's pooled window and a whole window pooled later are the same floats.
/// </summary>
public readonly record struct InputPooling(int Rows, int Columns)
{
    public const int Channels = 3;
    public const int Height = 400;
    public const int Width = 300;
    public const int FullSize = Channels * Height * Width;

    /// <summary>No pooling: the [3, 400, 300] input as it is.</summary>
    public static InputPooling None { get; } = new(1, 1);

    public bool IsNone => Rows == 1 && Columns == 1;

    public int PooledHeight => Height / Rows;

    public int PooledWidth => Width / Columns;

    /// <summary>Floats in one pooled input.</summary>
    public int Size => Channels * PooledHeight * PooledWidth;

    /// <summary>True when at least one whole block fits the input (a remainder that fills no block is dropped).</summary>
    public static bool Fits(int rows, int columns) =>
        rows is >= 1 and <= Height && columns is >= 1 and <= Width;

    public override string ToString() => $"{Rows}x{Columns}";

    /// <summary>Pools <paramref name="n"/> [3, 400, 300] inputs into <paramref name="pooled"/> [n, 3, 400 / Rows, 300 / Columns].</summary>
    public void Pool(ReadOnlySpan<float> full, int n, Span<float> pooled)
    {
        if (full.Length != (long)n * FullSize || pooled.Length < n * Size)
        {
            throw new ArgumentException($"{n} inputs need {n} x {FullSize} floats in and {n} x {Size} out, got {full.Length} and {pooled.Length}");
        }
        for (var plane = 0; plane < n * Channels; plane++)
        {
            PoolPlane(full.Slice(plane * Height * Width, Height * Width), pooled.Slice(plane * PooledHeight * PooledWidth, PooledHeight * PooledWidth));
        }
    }

    /// <summary>One [400, 300] plane into [400 / Rows, 300 / Columns].</summary>
    public void PoolPlane(ReadOnlySpan<float> plane, Span<float> pooled)
    {
        var divisor = (float)(Rows * Columns);
        for (var r = 0; r < PooledHeight; r++)
        {
            for (var c = 0; c < PooledWidth; c++)
            {
                var sum = 0f;
                for (var dr = 0; dr < Rows; dr++)
                {
                    var row = plane.Slice((r * Rows + dr) * Width + c * Columns, Columns);
                    for (var dc = 0; dc < row.Length; dc++)
                    {
                        sum += row[dc];
                    }
                }
                pooled[r * PooledWidth + c] = sum / divisor;
            }
        }
    }

    /// <summary>
    /// As <see cref="PoolPlane"/> over the plane <c>a - b[mirror]</c> (row i of the difference is row i of
    /// <paramref name="a"/> minus row <paramref name="mirror"/>[i] of <paramref name="b"/>) without writing it:
    /// each difference is the same float subtraction, summed in the same order.
    /// </summary>
    public void PoolDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<int> mirror, Span<float> pooled)
    {
        var divisor = (float)(Rows * Columns);
        for (var r = 0; r < PooledHeight; r++)
        {
            for (var c = 0; c < PooledWidth; c++)
            {
                var sum = 0f;
                for (var dr = 0; dr < Rows; dr++)
                {
                    var rowIndex = r * Rows + dr;
                    var own = a.Slice(rowIndex * Width + c * Columns, Columns);
                    var other = b.Slice(mirror[rowIndex] * Width + c * Columns, Columns);
                    for (var dc = 0; dc < own.Length; dc++)
                    {
                        sum += own[dc] - other[dc];
                    }
                }
                pooled[r * PooledWidth + c] = sum / divisor;
            }
        }
    }
}
