namespace Hbac.Eeg.Windows;

/// <summary>
/// One window of a stream: the model input of the 50 s of signal ending at <see cref="WindowEndSeconds"/>,
/// and the labelled 10 s it describes (the window's centre). Times are seconds since the stream started.
/// <see cref="LagSeconds"/> is how far the segment's end lies behind the newest sample received when
/// the window was formed (at least 20 s: the segment is the window's centre). <see cref="Input"/> is the
/// model input, pooled as <see cref="Pooling"/> says (<see cref="InputPooling.None"/>: [3, 400, 300]).
/// </summary>
public sealed record EegStreamWindow(
    double WindowStartSeconds, double WindowEndSeconds, double SegmentStartSeconds, double SegmentEndSeconds, double LagSeconds, float[] Input,
    InputPooling Pooling);

/// <summary>
/// The EEG-window model's preprocessing for a stream: raw 20-channel chunks (Kaggle order, 200 Hz) of
/// any size go in; once the first 50 s have arrived, and then for every 2 s of new signal, a window
/// comes out, computed by <see cref="EegWindow"/> from exactly those 50 s (the frames it shares with the
/// previous window are not computed again: <see cref="EegWindowFrames"/>). So a stream gets the inputs
/// that training and offline scoring compute for the same samples, bit for bit, however it is chunked,
/// and never an input padded beyond what training saw. Keeps the last 50 s, a few steps more, and a chunk.
/// A whole-recording report steps further (<paramref name="stepSeconds"/>, e.g. 10 s: one window per
/// 10-s segment) over the same windows; the stream's default is 2 s. <paramref name="newInput"/> supplies
/// the arrays the inputs are written into, given their length (default: a new one per window), so a caller
/// scoring a whole day can recycle them instead of churning 1.4 MB of large-object heap per window.
/// <see cref="Pooling"/> makes the windows the pooled inputs of a model that pools first.
/// <paramref name="firstSample"/> resumes a stream elsewhere: the first sample appended is that sample of
/// the stream (0: its start), and times and windows keep the stream's own clock and step grid (windows end at
/// 50 s + k steps since the stream's start), the first being the first on that grid whose 50 s were all appended.
/// </summary>
public sealed class EegWindowStream(int channels = 20, int stepSeconds = EegWindowStream.StepSeconds, Func<int, float[]>? newInput = null, long firstSample = 0)
{
    public const int StepSeconds = 2;
    public const int StepSamples = StepSeconds * EegWindow.SampleRateHz;

    private readonly int _stepSamples = stepSeconds > 0
        ? stepSeconds * EegWindow.SampleRateHz
        : throw new ArgumentOutOfRangeException(nameof(stepSeconds), stepSeconds, "the step must be a positive number of seconds");

    // Room for a window and SpareSteps steps: samples no window needs any more are moved out once the room is
    // full, one move every few windows instead of one per window (an 0.8-MB move was 2 % of a loaded service's CPU).
    private const int SpareSteps = 4;
    private float[][] _buffer = Enumerable.Range(0, channels).Select(_ => new float[EegWindow.Samples + SpareSteps * Math.Max(StepSamples, stepSeconds * EegWindow.SampleRateHz)]).ToArray();
    private long _bufferStart = firstSample >= 0
        ? firstSample
        : throw new ArgumentOutOfRangeException(nameof(firstSample), firstSample, "the first sample's index must not be negative");   // absolute index of _buffer[c][0]
    private int _length;         // samples held
    private readonly EegWindowFrames _frames = new();
    // The first window end on the grid EegWindow.Samples + k * step that leaves the whole window after firstSample.
    private long _nextWindowEnd = EegWindow.Samples + (firstSample + stepSeconds * EegWindow.SampleRateHz - 1) / (stepSeconds * EegWindow.SampleRateHz) * (stepSeconds * EegWindow.SampleRateHz);

    /// <summary>How the windows formed from now on are pooled (default none: [3, 400, 300]).</summary>
    public InputPooling Pooling { get; set; } = InputPooling.None;

    /// <summary>Samples per channel received so far.</summary>
    public long Received => _bufferStart + _length;

    public double ReceivedSeconds => Received / (double)EegWindow.SampleRateHz;

    /// <summary>
    /// Adds one chunk (one array per channel, all the same length) and returns the windows it completes,
    /// oldest first (several when the chunk is longer than 2 s).
    /// </summary>
    public IReadOnlyList<EegStreamWindow> Append(IReadOnlyList<float[]> chunk)
    {
        if (chunk.Count != _buffer.Length)
        {
            throw new ArgumentException($"{chunk.Count} channels in the chunk, the stream has {_buffer.Length}", nameof(chunk));
        }
        var count = chunk[0].Length;
        if (chunk.Any(c => c.Length != count))
        {
            throw new ArgumentException("every channel of a chunk must hold the same number of samples", nameof(chunk));
        }
        EnsureCapacity(_length + count);
        for (var c = 0; c < _buffer.Length; c++)
        {
            chunk[c].CopyTo(_buffer[c], _length);
        }
        _length += count;
        return Emit();
    }

    /// <summary>
    /// Adds samples interleaved sample after sample (s0c0, s0c1, ..., the row order of a Kaggle EEG parquet
    /// and of StreamEeg's INTERLEAVED chunks): the same windows as <see cref="Append(IReadOnlyList{float[]})"/>
    /// without a per-channel copy of the chunk first.
    /// </summary>
    public IReadOnlyList<EegStreamWindow> AppendInterleaved(ReadOnlySpan<float> samples)
    {
        var channels = _buffer.Length;
        if (samples.Length % channels != 0)
        {
            throw new ArgumentException($"{samples.Length} values is not a multiple of {channels} channels", nameof(samples));
        }
        var count = samples.Length / channels;
        EnsureCapacity(_length + count);
        for (var c = 0; c < channels; c++)
        {
            var channel = _buffer[c].AsSpan(_length, count);
            for (var s = 0; s < count; s++)
            {
                channel[s] = samples[s * channels + c];
            }
        }
        _length += count;
        return Emit();
    }

    private List<EegStreamWindow> Emit()
    {
        var windows = new List<EegStreamWindow>();
        while (_nextWindowEnd <= Received)
        {
            // The window lies inside what the buffer holds; the arrays' spare capacity after it is never read.
            var start = (int)(_nextWindowEnd - EegWindow.Samples - _bufferStart);
            var pooling = Pooling;
            var input = newInput?.Invoke(pooling.Size) ?? new float[pooling.Size];
            _frames.Compute(_buffer, start, _nextWindowEnd - EegWindow.Samples, input, pooling);
            var end = _nextWindowEnd / (double)EegWindow.SampleRateHz;
            var segmentEnd = end - (EegWindow.Seconds - EegWindow.LabelledSeconds) / 2.0;
            windows.Add(new EegStreamWindow(end - EegWindow.Seconds, end, segmentEnd - EegWindow.LabelledSeconds, segmentEnd,
                ReceivedSeconds - segmentEnd, input, pooling));
            _nextWindowEnd += _stepSamples;
        }
        // The next window's frames whose samples have arrived, now rather than all when its last sample comes.
        var nextStart = _nextWindowEnd - EegWindow.Samples;
        var relative = nextStart - _bufferStart;
        if (relative >= 0 && relative < _length)
        {
            _frames.Prepare(_buffer, (int)relative, nextStart, _length - (int)relative);
        }
        return windows;
    }

    // Keeps what the next window needs: the samples from its start on. Returns how many samples it dropped.
    private int Trim()
    {
        var keepFrom = _nextWindowEnd - EegWindow.Samples;
        var drop = (int)Math.Clamp(keepFrom - _bufferStart, 0, _length);
        if (drop == 0)
        {
            return 0;
        }
        foreach (var channel in _buffer)
        {
            Array.Copy(channel, drop, channel, 0, _length - drop);
        }
        _bufferStart += drop;
        _length -= drop;
        return drop;
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _buffer[0].Length)
        {
            return;
        }
        needed -= Trim();
        if (needed <= _buffer[0].Length)
        {
            return;
        }
        var capacity = Math.Max(needed, 2 * _buffer[0].Length);
        _buffer = _buffer.Select(channel =>
        {
            var grown = new float[capacity];
            channel.AsSpan(0, _length).CopyTo(grown);
            return grown;
        }).ToArray();
    }
}
