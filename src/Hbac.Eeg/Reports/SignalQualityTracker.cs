using Hbac.Eeg.Montage;

namespace Hbac.Eeg.Reports;

/// <summary>
/// Follows a recording chunk by chunk (Kaggle order, 200 Hz) and keeps <see cref="SecondStatistics"/>
/// per electrode per second (about 70 MB for 24 h), so the quality of any segment is known without the
/// samples. Partial seconds are carried over to the next chunk. A stream, which may run for days, keeps
/// only its last <paramref name="keepSeconds"/> seconds: its replies ask about segments 20-30 s old.
/// Only the <paramref name="electrodes"/> the recording has are judged (default all 19): the column of one it
/// lacks reads as zeros, which is no fault of the signal.
/// </summary>
public sealed class SignalQualityTracker(SignalQualityRules? rules = null, int? keepSeconds = null, IReadOnlyCollection<string>? electrodes = null)
{
    private const int Rate = KaggleMontage.SampleRateHz;
    private static readonly int ElectrodeCount = KaggleMontage.Electrodes.Count;

    private readonly SignalQualityRules _rules = rules ?? SignalQualityRules.Default;
    private readonly (string[] Names, int[] Columns) _judged = Judged(electrodes);
    private readonly List<SecondStatistics[]> _seconds = [];
    private readonly float[][] _pending = Enumerable.Range(0, ElectrodeCount).Select(_ => new float[Rate]).ToArray();
    private int _pendingLength;
    private int _dropped;   // seconds no longer kept, before _seconds[0]

    private static (string[] Names, int[] Columns) Judged(IReadOnlyCollection<string>? electrodes)
    {
        string[] names = [.. KaggleMontage.Electrodes.Where(e => electrodes?.Contains(e) ?? true)];
        return (names, [.. names.Select(KaggleMontage.ColumnIndex)]);
    }

    /// <summary>Whole seconds seen so far.</summary>
    public int Seconds => _dropped + _seconds.Count;

    /// <summary>
    /// Adds samples interleaved by channel (s0c0, s0c1, ..., the Kaggle order with the electrodes first), as
    /// a stream carries them; the same as <see cref="Append"/> of the deinterleaved channels.
    /// </summary>
    public void AppendInterleaved(ReadOnlySpan<float> samples, int channels)
    {
        if (channels < ElectrodeCount || samples.Length % channels != 0)
        {
            throw new ArgumentException($"{samples.Length} samples are not whole frames of {channels} channels with the {ElectrodeCount} electrodes first", nameof(samples));
        }
        var frames = samples.Length / channels;
        var position = 0;
        while (position < frames)
        {
            var take = Math.Min(Rate - _pendingLength, frames - position);
            for (var e = 0; e < ElectrodeCount; e++)
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

    /// <summary>Adds a chunk (at least the 19 electrodes, Kaggle order, all the same length).</summary>
    public void Append(IReadOnlyList<float[]> chunk)
    {
        var length = chunk[0].Length;
        var position = 0;
        while (position < length)
        {
            var take = Math.Min(Rate - _pendingLength, length - position);
            for (var e = 0; e < ElectrodeCount; e++)
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
        var second = new SecondStatistics[ElectrodeCount];
        for (var e = 0; e < ElectrodeCount; e++)
        {
            second[e] = SecondStatistics.Of(_pending[e]);
        }
        _seconds.Add(second);
        _pendingLength = 0;
        if (keepSeconds is { } keep && _seconds.Count > keep)
        {
            _seconds.RemoveAt(0);
            _dropped++;
        }
    }

    /// <summary>The quality of the whole seconds [start, end); seconds not seen, or no longer kept, count as missing samples.</summary>
    public SegmentQuality Segment(int startSecond, int endSecond)
    {
        var (names, columns) = _judged;
        var statistics = new SecondStatistics[names.Length];
        var first = true;
        for (var s = Math.Max(_dropped, startSecond); s < Math.Min(endSecond, Seconds); s++)
        {
            var kept = _seconds[s - _dropped];
            for (var j = 0; j < names.Length; j++)
            {
                statistics[j] = first ? kept[columns[j]] : SecondStatistics.Combine(statistics[j], kept[columns[j]]);
            }
            first = false;
        }
        return _rules.Assess(names, statistics);
    }
}
