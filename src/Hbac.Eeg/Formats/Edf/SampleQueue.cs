namespace Hbac.Eeg.Formats.Edf;

/// <summary>Samples waiting to be handed out in chunks: appended at the back, taken from the front.</summary>
internal sealed class SampleQueue
{
    private float[] _values = new float[4096];
    private int _start;

    public int Count { get; private set; }

    public void Append(ReadOnlySpan<float> values)
    {
        if (_start + Count + values.Length > _values.Length)
        {
            if (Count + values.Length > _values.Length)
            {
                var grown = new float[Math.Max(2 * _values.Length, Count + values.Length)];
                _values.AsSpan(_start, Count).CopyTo(grown);
                _values = grown;
            }
            else
            {
                _values.AsSpan(_start, Count).CopyTo(_values);
            }
            _start = 0;
        }
        values.CopyTo(_values.AsSpan(_start + Count));
        Count += values.Length;
    }

    /// <summary>Fills <paramref name="destination"/> from the front of the queue.</summary>
    public void Take(Span<float> destination)
    {
        if (destination.Length > Count)
        {
            throw new InvalidOperationException($"{destination.Length} samples asked for, {Count} queued");
        }
        _values.AsSpan(_start, destination.Length).CopyTo(destination);
        _start += destination.Length;
        Count -= destination.Length;
        if (Count == 0)
        {
            _start = 0;
        }
    }
}
