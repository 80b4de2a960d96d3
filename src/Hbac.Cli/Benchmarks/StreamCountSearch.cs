namespace Hbac.Cli.Benchmarks;

/// <summary>
/// Finds the largest stream count that still meets the latency target, running as few levels as it
/// can (each level costs half a minute of real time): the count doubles from <c>start</c> until a
/// level fails (or <c>max</c> passes), then bisects between the largest pass and the smallest fail
/// until they are within <c>tolerance</c> of the pass (10% = the answer is at most 10% below the
/// true limit). Assumes a level that fails would fail at any higher count. Pure: the caller runs
/// the level <see cref="Next"/> names and reports it with <see cref="Record"/>.
/// </summary>
internal sealed class StreamCountSearch
{
    private readonly int _max;
    private readonly double _tolerance;
    private int? _failed;

    public StreamCountSearch(int start, int max, double tolerance = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(start, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, start);
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);
        _max = max;
        _tolerance = tolerance;
        Next = start;
    }

    /// <summary>The stream count to run next; null when the search is over.</summary>
    public int? Next { get; private set; }

    /// <summary>The largest count that passed so far; null when none did.</summary>
    public int? Largest { get; private set; }

    /// <summary>The smallest count that failed so far; null when none did (the answer is then a lower bound).</summary>
    public int? SmallestFailed => _failed;

    /// <summary>Records the outcome of the level <see cref="Next"/> named and chooses the next one.</summary>
    public void Record(int streams, bool passed)
    {
        if (Next != streams)
        {
            throw new InvalidOperationException($"the search asked for {Next?.ToString() ?? "no more levels"}, not {streams}");
        }
        if (passed)
        {
            Largest = streams;
        }
        else
        {
            _failed = streams;
        }
        Next = Choose();
    }

    private int? Choose()
    {
        var low = Largest ?? 0;
        if (_failed is not { } high)
        {
            // Still doubling.
            return low >= _max ? null : Math.Min(low * 2, _max);
        }
        var step = Math.Max(1, (int)Math.Ceiling(low * _tolerance));
        return high - low <= step ? null : low + (high - low) / 2;
    }
}
