using Hbac.Eeg.Montage;

namespace Hbac.Eeg.Reports;

/// <summary>
/// Follows a recording chunk by chunk (Kaggle order, 200 Hz) and keeps <see cref="SecondStatistics"/>
/// per electrode per second (about 70 MB for 24 h), so the quality of any segment is known without the
/// samples. Partial seconds are carried over to the next chunk.
/// </summary>
public sealed class SignalQualityTracker(SignalQualityRules? rules = null)
{
    private const int Rate = KaggleMontage.SampleRateHz;
    private static readonly int ElectrodeCount = KaggleMontage.Electrodes.Count;

    private readonly SignalQualityRules _rules = rules ?? SignalQualityRules.Default;
    private readonly List<SecondStatistics[]> _seconds = [];
    private readonly float[][] _pending = Enumerable.Range(0, ElectrodeCount).Select(_ => new float[Rate]).ToArray();
    private int _pendingLength;

    /// <summary>Whole seconds seen so far.</summary>
    public int Seconds => _seconds.Count;

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
                var second = new SecondStatistics[ElectrodeCount];
                for (var e = 0; e < ElectrodeCount; e++)
                {
                    second[e] = SecondStatistics.Of(_pending[e]);
                }
                _seconds.Add(second);
                _pendingLength = 0;
            }
        }
    }

    /// <summary>The quality of the whole seconds [start, end).</summary>
    public SegmentQuality Segment(int startSecond, int endSecond)
    {
        var statistics = new SecondStatistics[ElectrodeCount];
        var first = true;
        for (var s = Math.Max(0, startSecond); s < Math.Min(endSecond, _seconds.Count); s++)
        {
            for (var e = 0; e < ElectrodeCount; e++)
            {
                statistics[e] = first ? _seconds[s][e] : SecondStatistics.Combine(statistics[e], _seconds[s][e]);
            }
            first = false;
        }
        return _rules.Assess(KaggleMontage.Electrodes, statistics);
    }
}
