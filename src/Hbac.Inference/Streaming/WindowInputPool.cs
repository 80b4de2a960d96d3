using System.Collections.Concurrent;
using Hbac.Eeg.Windows;

namespace Hbac.Inference.Streaming;

/// <summary>
/// Model-input arrays (1.44 MB each for a whole [3, 400, 300] input, on the large-object heap; 48 kB for a
/// stream window pooled 1 x 30 for its model) shared by all calls: a call rents one for each window and
/// gives it back once the window is scored, so a service carrying hundreds of streams reuses a few dozen
/// arrays instead of allocating 100 new ones per second, which the large-object heap only returns after a
/// full collection. Arrays are kept by length, at most <see cref="Capacity"/> of each; a window that fails
/// or is cancelled is not given back (the batcher may still read it), and the garbage collector takes it.
/// </summary>
public sealed class WindowInputPool(int capacity = WindowInputPool.DefaultCapacity)
{
    /// <summary>
    /// Enough for the windows in flight at 400 streams (about 200 windows/s at tens of ms each), and 46 MB
    /// at most of whole inputs when idle.
    /// </summary>
    public const int DefaultCapacity = 32;

    private readonly ConcurrentDictionary<int, Shelf> _shelves = new();

    public int Capacity { get; } = capacity >= 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "must not be negative");

    /// <summary>Arrays waiting to be rented, of every length.</summary>
    public int Available => _shelves.Values.Sum(shelf => Volatile.Read(ref shelf.Count));

    /// <summary>An array of <paramref name="length"/> floats; its contents are whatever the last window left (the window computation writes every value).</summary>
    public float[] Rent(int length = EegWindow.Size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        if (_shelves.TryGetValue(length, out var shelf) && shelf.Arrays.TryTake(out var input))
        {
            Interlocked.Decrement(ref shelf.Count);
            return input;
        }
        return new float[length];
    }

    public void Return(float[] input)
    {
        if (input.Length == 0)
        {
            throw new ArgumentException("an empty array is no model input", nameof(input));
        }
        var shelf = _shelves.GetOrAdd(input.Length, _ => new Shelf());
        if (Interlocked.Increment(ref shelf.Count) <= Capacity)
        {
            shelf.Arrays.Add(input);
        }
        else
        {
            Interlocked.Decrement(ref shelf.Count);
        }
    }

    private sealed class Shelf
    {
        public readonly ConcurrentBag<float[]> Arrays = [];
        public int Count;
    }
}
