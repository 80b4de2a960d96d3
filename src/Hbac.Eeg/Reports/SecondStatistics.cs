namespace Hbac.Eeg.Reports;

/// <summary>
/// What signal quality needs from one electrode's samples over one second, so a segment's quality is
/// combined from its seconds without keeping the samples: NaN count, sums for the variance, and the
/// extremes with how many samples sit on them (clipping pins many samples to the same extreme).
/// </summary>
public struct SecondStatistics
{
    public int Count;
    public int NaNs;
    public double Sum;
    public double SumOfSquares;
    public float Max;
    public float Min;
    public int AtMax;
    public int AtMin;

    public static SecondStatistics Of(ReadOnlySpan<float> samples)
    {
        var s = new SecondStatistics { Max = float.NegativeInfinity, Min = float.PositiveInfinity };
        foreach (var x in samples)
        {
            s.Count++;
            if (!float.IsFinite(x))
            {
                s.NaNs++;
                continue;
            }
            s.Sum += x;
            s.SumOfSquares += (double)x * x;
            if (x > s.Max)
            {
                (s.Max, s.AtMax) = (x, 1);
            }
            else if (x == s.Max)
            {
                s.AtMax++;
            }
            if (x < s.Min)
            {
                (s.Min, s.AtMin) = (x, 1);
            }
            else if (x == s.Min)
            {
                s.AtMin++;
            }
        }
        return s;
    }

    /// <summary>The statistics of two spans of samples together.</summary>
    public static SecondStatistics Combine(SecondStatistics a, SecondStatistics b)
    {
        var c = new SecondStatistics
        {
            Count = a.Count + b.Count,
            NaNs = a.NaNs + b.NaNs,
            Sum = a.Sum + b.Sum,
            SumOfSquares = a.SumOfSquares + b.SumOfSquares,
            Max = Math.Max(a.Max, b.Max),
            Min = Math.Min(a.Min, b.Min),
        };
        c.AtMax = (a.Max == c.Max ? a.AtMax : 0) + (b.Max == c.Max ? b.AtMax : 0);
        c.AtMin = (a.Min == c.Min ? a.AtMin : 0) + (b.Min == c.Min ? b.AtMin : 0);
        return c;
    }

    public readonly int Finite => Count - NaNs;

    public readonly double StandardDeviation
    {
        get
        {
            if (Finite == 0)
            {
                return 0;
            }
            var mean = Sum / Finite;
            return Math.Sqrt(Math.Max(0, SumOfSquares / Finite - mean * mean));
        }
    }
}
