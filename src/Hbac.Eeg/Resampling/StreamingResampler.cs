namespace Hbac.Eeg.Resampling;

/// <summary>
/// <see cref="Resampler.ResamplePoly"/> fed piece by piece, for a recording read record by record: the
/// same filter, the same edge-value padding and the same dot products over the same samples, so the
/// outputs are bit for bit those of resampling the whole signal at once. It keeps only the input the
/// next output still reads (one filter branch), so a day of signal costs no more memory than a minute.
/// The length of the whole signal is known only at <see cref="Finish"/>, which pads with the last value
/// and hands out the outputs that needed samples past the end.
/// </summary>
public sealed class StreamingResampler
{
    private readonly int _up;
    private readonly int _down;
    private readonly int _halfLength;
    private readonly int _branchLength;
    private readonly int _pad;
    private readonly float[][] _phases;
    private float[] _padded = new float[1024];
    private long _origin;        // index, in the padded signal, of _padded[0]
    private int _length;         // valid values in _padded
    private long _inputs;        // input samples pushed
    private long _next;          // index of the next output
    private float _last;
    private float[] _output = new float[256];
    private bool _finished;

    /// <summary>From <paramref name="fromRateHz"/> (possibly non-integer, as <see cref="Resampler.Resample(ReadOnlySpan{float}, double, int)"/>) to <paramref name="toRateHz"/>.</summary>
    public StreamingResampler(double fromRateHz, int toRateHz)
    {
        (_up, _down) = Resampler.Ratio(fromRateHz, toRateHz);
        _halfLength = Resampler.HalfLengthPerFactor * Math.Max(_up, _down);
        _phases = Identity ? [] : Resampler.PolyphaseBranches(_up, _down, _halfLength, out _branchLength);
        _pad = Resampler.Pad(_branchLength);
    }

    private bool Identity => _up == 1 && _down == 1;

    /// <summary>Outputs handed out so far.</summary>
    public long Outputs => _next;

    /// <summary>Input samples pushed so far.</summary>
    public long Inputs => _inputs;

    /// <summary>
    /// Adds the next input samples; returns the outputs they complete (valid until the next call).
    /// </summary>
    public ReadOnlySpan<float> Push(ReadOnlySpan<float> input)
    {
        if (_finished)
        {
            throw new InvalidOperationException("the signal was finished");
        }
        if (input.IsEmpty)
        {
            return [];
        }
        if (Identity)
        {
            _next += input.Length;
            return input;
        }
        if (_inputs == 0)
        {
            Append(input[0], _pad);
        }
        Append(input);
        _inputs += input.Length;
        _last = input[^1];
        return Produce(long.MaxValue);
    }

    /// <summary>The outputs left once the signal has ended: ceil(n * up / down) in all.</summary>
    public ReadOnlySpan<float> Finish()
    {
        if (_finished)
        {
            return [];
        }
        _finished = true;
        if (Identity || _inputs == 0)
        {
            return [];
        }
        Append(_last, _pad);
        return Produce(Resampler.OutputLength(_inputs, _up, _down));
    }

    private ReadOnlySpan<float> Produce(long end)
    {
        var count = 0;
        for (; _next < end; _next++)
        {
            // The samples ResamplePoly's output of the same index reads.
            var (phase, start) = Resampler.Tap(_next, _up, _down, _halfLength, _branchLength);
            if (start + _branchLength > _origin + _length)
            {
                break;
            }
            if (count == _output.Length)
            {
                Array.Resize(ref _output, 2 * _output.Length);
            }
            _output[count++] = Resampler.Dot(_phases[phase], _padded.AsSpan((int)(start - _origin), _branchLength));
        }
        // Keep what the next output reads, from its first sample on.
        var keepFrom = Math.Min(Resampler.Tap(_next, _up, _down, _halfLength, _branchLength).Start, _origin + _length);
        var drop = (int)(keepFrom - _origin);
        if (drop > 0)
        {
            _padded.AsSpan(drop, _length - drop).CopyTo(_padded);
            _length -= drop;
            _origin += drop;
        }
        return _output.AsSpan(0, count);
    }

    private void Append(ReadOnlySpan<float> values)
    {
        Reserve(values.Length);
        values.CopyTo(_padded.AsSpan(_length));
        _length += values.Length;
    }

    private void Append(float value, int count)
    {
        Reserve(count);
        _padded.AsSpan(_length, count).Fill(value);
        _length += count;
    }

    private void Reserve(int count)
    {
        if (_length + count > _padded.Length)
        {
            Array.Resize(ref _padded, Math.Max(2 * _padded.Length, _length + count));
        }
    }
}
