using System.Collections.Concurrent;
using Hbac.Eeg.Windows;

namespace Hbac.Inference.Streaming;

/// <summary>
/// Model-input arrays (1.44 MB each, on the large-object heap) shared by all streams: a stream rents one
/// for each window and gives it back once the window is scored, so a service carrying hundreds of
/// streams reuses a few dozen arrays instead of allocating 100 new ones per second, which the
/// large-object heap only returns after a full collection. At most <see cref="Capacity"/> arrays wait in
/// the pool; a window that fails or is cancelled is not given back (the batcher may still read it), and
/// the garbage collector takes it.
/// </summary>
public sealed class WindowInputPool(int capacity = WindowInputPool.DefaultCapacity)
{
    /// <summary>
    /// Enough for the windows in flight at 400 streams (about 200 windows/s at tens of ms each), and 46 MB
    /// at most when idle.
    /// </summary>
    public const int DefaultCapacity = 32;

    private readonly ConcurrentBag<float[]> _free = [];
    private int _count;

    public int Capacity { get; } = capacity >= 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "must not be negative");

    /// <summary>Arrays waiting to be rented.</summary>
    public int Available => Volatile.Read(ref _count);

    /// <summary>An array of <see cref="EegWindow.Size"/> floats; its contents are whatever the last window left (the window computation writes every value).</summary>
    public float[] Rent()
    {
        if (_free.TryTake(out var input))
        {
            Interlocked.Decrement(ref _count);
            return input;
        }
        return new float[EegWindow.Size];
    }

    public void Return(float[] input)
    {
        if (input.Length != EegWindow.Size)
        {
            throw new ArgumentException($"the pool holds arrays of {EegWindow.Size} floats, not {input.Length}", nameof(input));
        }
        if (Interlocked.Increment(ref _count) <= Capacity)
        {
            _free.Add(input);
        }
        else
        {
            Interlocked.Decrement(ref _count);
        }
    }
}
