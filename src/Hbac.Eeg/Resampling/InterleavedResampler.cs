namespace Hbac.Eeg.Resampling;

/// <summary>
/// Interleaved multichannel signal resampled chunk by chunk, one <see cref="StreamingResampler"/> per channel: the
/// outputs are bit for bit those of <see cref="Resampler.Resample(ReadOnlySpan{float}, double, int)"/> on each whole
/// channel, however the signal is chunked, once <see cref="Finish"/> has handed out the last ones.
/// </summary>
public sealed class InterleavedResampler
{
    private readonly StreamingResampler[] _channels;
    private float[] _planar = [];
    private float[] _output = [];

    public InterleavedResampler(int channels, double fromRateHz, int toRateHz)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        FromRateHz = fromRateHz;
        ToRateHz = toRateHz;
        _channels = Enumerable.Range(0, channels).Select(_ => new StreamingResampler(fromRateHz, toRateHz)).ToArray();
    }

    public double FromRateHz { get; }

    public int ToRateHz { get; }

    /// <summary>
    /// Seconds of signal received but not yet handed out: the filter's look-ahead. A reply's lag behind the newest
    /// sample received is the resampled signal's own lag plus this.
    /// </summary>
    public double PendingSeconds => Math.Max(0, _channels[0].Inputs / FromRateHz - _channels[0].Outputs / (double)ToRateHz);

    /// <summary>Adds the next samples (frame after frame, channels innermost); returns the interleaved outputs they complete (valid until the next call).</summary>
    public ReadOnlySpan<float> Push(ReadOnlySpan<float> interleaved)
    {
        var count = _channels.Length;
        if (interleaved.Length % count != 0)
        {
            throw new ArgumentException($"{interleaved.Length} values are not whole frames of {count} channels", nameof(interleaved));
        }
        var frames = interleaved.Length / count;
        if (_planar.Length < frames)
        {
            _planar = new float[frames];
        }
        var produced = -1;
        for (var c = 0; c < count; c++)
        {
            for (var i = 0; i < frames; i++)
            {
                _planar[i] = interleaved[i * count + c];
            }
            produced = Interleave(c, _channels[c].Push(_planar.AsSpan(0, frames)), produced);
        }
        return _output.AsSpan(0, produced * count);
    }

    /// <summary>The outputs left once the signal has ended (interleaved).</summary>
    public ReadOnlySpan<float> Finish()
    {
        var produced = -1;
        for (var c = 0; c < _channels.Length; c++)
        {
            produced = Interleave(c, _channels[c].Finish(), produced);
        }
        return _output.AsSpan(0, Math.Max(0, produced) * _channels.Length);
    }

    // Every channel has the same rate and has had as many samples, so each hands out as many outputs.
    private int Interleave(int channel, ReadOnlySpan<float> outputs, int produced)
    {
        if (produced >= 0 && outputs.Length != produced)
        {
            throw new InvalidOperationException($"channel {channel} produced {outputs.Length} samples, channel 0 {produced}");
        }
        var count = _channels.Length;
        if (_output.Length < outputs.Length * count)
        {
            _output = new float[outputs.Length * count];
        }
        for (var i = 0; i < outputs.Length; i++)
        {
            _output[i * count + channel] = outputs[i];
        }
        return outputs.Length;
    }
}
