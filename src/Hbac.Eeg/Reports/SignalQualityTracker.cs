using Hbac.Eeg.Formats;
using Hbac.Eeg.Montage;

namespace Hbac.Eeg.Reports;

/// <summary>
/// Follows a recording chunk by chunk (Kaggle order, 200 Hz) and keeps <see cref="SecondStatistics"/> per judged
/// signal per second (about 70 MB for 24 h), so the quality of any segment is known without the samples. Partial
/// seconds are carried over to the next chunk. An EDF/BDF file's chunks bring their seconds' statistics taken at
/// the file's own rate (<see cref="RecordingChunk.SourceSeconds"/>), which this keeps as they are. A stream, which may run for days, keeps only its last
/// <c>keepSeconds</c> seconds: its replies ask about segments 20-30 s old.
/// The signals are the 19 electrodes, of which only the <c>electrodes</c> the recording has are judged (default
/// all 19: the column of one it lacks reads as zeros, which is no fault of the signal), or, for a file stored in
/// a bipolar montage, the 16 chains (<see cref="ForChains"/>).
/// </summary>
public sealed class SignalQualityTracker
{
    private const int Rate = KaggleMontage.SampleRateHz;

    private readonly SignalQualityRules _rules;
    private readonly int? _keepSeconds;
    private readonly bool _chains;
    private readonly string[] _judged;
    private readonly int[] _judgedSignals;   // each judged signal's index among those appended (electrodes or chains)
    private readonly List<SecondStatistics[]> _seconds = [];
    private readonly float[][] _pending;
    private int _pendingLength;
    private int _dropped;   // seconds no longer kept, before _seconds[0]

    public SignalQualityTracker(SignalQualityRules? rules = null, int? keepSeconds = null, IReadOnlyCollection<string>? electrodes = null)
        : this(rules, keepSeconds, chains: false, [.. KaggleMontage.Electrodes.Where(e => electrodes?.Contains(e) ?? true)])
    {
    }

    private SignalQualityTracker(SignalQualityRules? rules, int? keepSeconds, bool chains, string[] judged)
    {
        _rules = rules ?? SignalQualityRules.Default;
        _keepSeconds = keepSeconds;
        _chains = chains;
        var signals = (chains ? KaggleMontage.ChainNames : KaggleMontage.Electrodes).ToList();
        _judged = judged;
        _judgedSignals = [.. judged.Select(name => signals.IndexOf(name))];
        _pending = [.. signals.Select(_ => new float[Rate])];
    }

    /// <summary>
    /// A bipolar file's tracker: it takes the 16 chains as the file holds them (their statistics in
    /// <see cref="RecordingChunk.SourceSeconds"/>, or the chains themselves) and judges each by its name ("Fp1-F7", ...). Judged on the electrodes rebuilt from them (<see cref="BipolarChains"/>)
    /// a dead or bridged derivation would show nothing, as neither electrode around it is flat, and a clipped one
    /// would not sit exactly on its extremes any more.
    /// </summary>
    public static SignalQualityTracker ForChains(SignalQualityRules? rules = null) =>
        new(rules, keepSeconds: null, chains: true, [.. KaggleMontage.ChainNames]);

    /// <summary>The tracker of <paramref name="recording"/>'s chunks (<see cref="Append(RecordingChunk)"/>): its chains when it is bipolar, else the electrodes it has.</summary>
    public static SignalQualityTracker For(ChunkedRecording recording, SignalQualityRules? rules = null) =>
        recording.Montage == "bipolar" ? ForChains(rules) : new(rules, electrodes: recording.Electrodes);

    /// <summary>Whole seconds seen so far.</summary>
    public int Seconds => _dropped + _seconds.Count;

    /// <summary>
    /// Adds samples interleaved by channel (s0c0, s0c1, ..., the Kaggle order with the electrodes first), as
    /// a stream carries them; the same as <see cref="Append"/> of the deinterleaved channels.
    /// </summary>
    public void AppendInterleaved(ReadOnlySpan<float> samples, int channels)
    {
        if (_chains)
        {
            throw new InvalidOperationException("a bipolar file's tracker takes its chains (Append); streams carry electrodes");
        }
        var electrodes = _pending.Length;
        if (channels < electrodes || samples.Length % channels != 0)
        {
            throw new ArgumentException($"{samples.Length} samples are not whole frames of {channels} channels with the {electrodes} electrodes first", nameof(samples));
        }
        var frames = samples.Length / channels;
        var position = 0;
        while (position < frames)
        {
            var take = Math.Min(Rate - _pendingLength, frames - position);
            for (var e = 0; e < electrodes; e++)
            {
                var target = _pending[e].AsSpan(_pendingLength, take);
                for (var i = 0; i < take; i++)
                {
                    target[i] = samples[(position + i) * channels + e];
                }
            }
            _pendingLength += take;
            position += take;
            if (_pendingLength == Rate)
            {
                CompleteSecond();
            }
        }
    }

    /// <summary>
    /// Adds a recording's chunk: the statistics of its source seconds when it carries them (an EDF/BDF file, judged at
    /// its own rate), else its chains when this tracker judges chains, else its columns.
    /// </summary>
    public void Append(RecordingChunk chunk)
    {
        if (chunk.SourceSeconds is { } seconds)
        {
            foreach (var second in seconds)
            {
                if (second.Length != _pending.Length)
                {
                    throw new ArgumentException($"a source second has {second.Length} signals, expected {(_chains ? "the 16 chains" : "the 19 electrodes")}", nameof(chunk));
                }
                AddSecond(second);
            }
            return;
        }
        Append(_chains ? chunk.Chains ?? throw new ArgumentException("the chunk has no chains: its recording is not bipolar", nameof(chunk)) : chunk.Columns);
    }

    /// <summary>Adds a chunk of the signals this tracker follows, all the same length: at least the 19 electrodes (Kaggle order), or the 16 chains.</summary>
    public void Append(IReadOnlyList<float[]> chunk)
    {
        if (_chains ? chunk.Count != _pending.Length : chunk.Count < _pending.Length)
        {
            throw new ArgumentException($"{chunk.Count} signals in the chunk, expected {(_chains ? "the 16 chains" : "the 19 electrodes (Kaggle order) or more")}", nameof(chunk));
        }
        var length = chunk[0].Length;
        var position = 0;
        while (position < length)
        {
            var take = Math.Min(Rate - _pendingLength, length - position);
            for (var e = 0; e < _pending.Length; e++)
            {
                chunk[e].AsSpan(position, take).CopyTo(_pending[e].AsSpan(_pendingLength));
            }
            _pendingLength += take;
            position += take;
            if (_pendingLength == Rate)
            {
                CompleteSecond();
            }
        }
    }

    private void CompleteSecond()
    {
        var second = new SecondStatistics[_pending.Length];
        for (var e = 0; e < _pending.Length; e++)
        {
            second[e] = SecondStatistics.Of(_pending[e]);
        }
        _pendingLength = 0;
        AddSecond(second);
    }

    private void AddSecond(SecondStatistics[] second)
    {
        _seconds.Add(second);
        if (_keepSeconds is { } keep && _seconds.Count > keep)
        {
            _seconds.RemoveAt(0);
            _dropped++;
        }
    }

    /// <summary>The quality of the whole seconds [start, end); seconds not seen, or no longer kept, count as missing samples.</summary>
    public SegmentQuality Segment(int startSecond, int endSecond)
    {
        var statistics = new SecondStatistics[_judged.Length];
        var first = true;
        for (var s = Math.Max(_dropped, startSecond); s < Math.Min(endSecond, Seconds); s++)
        {
            var kept = _seconds[s - _dropped];
            for (var j = 0; j < _judged.Length; j++)
            {
                statistics[j] = first ? kept[_judgedSignals[j]] : SecondStatistics.Combine(statistics[j], kept[_judgedSignals[j]]);
            }
            first = false;
        }
        return _rules.Assess(_judged, statistics);
    }
}
