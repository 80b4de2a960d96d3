using Hbac.Eeg.Reports;

namespace Hbac.Eeg.Tests.Reports;

/// <summary>Hand-made segment series: segment i is [20 + 10 i, 30 + 10 i) s, as a 10-s step report gives.</summary>
internal static class ReportSeries
{
    public static SegmentScore Segment(int index, double seizure, bool scored = true, double stepSeconds = 10)
    {
        var p = new float[6];
        p[0] = (float)seizure;
        p[5] = (float)(1 - seizure);
        var start = 20 + stepSeconds * index;
        return new SegmentScore(start, start + 10, p, scored ? SegmentQuality.Good : new SegmentQuality([new ElectrodeFlag("Fp1", ElectrodeProblem.Flat)], false));
    }

    /// <summary>One segment per probability (NaN = not scored).</summary>
    public static IReadOnlyList<SegmentScore> Of(params double[] seizure) =>
        [.. seizure.Select((p, i) => double.IsNaN(p) ? Segment(i, 0, scored: false) : Segment(i, p))];

    public static double[] Repeat(double value, int count) => Enumerable.Repeat(value, count).ToArray();
}
