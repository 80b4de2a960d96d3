using Hbac.Eeg.Labels;

namespace Hbac.Eeg.Reports;

/// <summary>
/// One scored segment of a recording: the 10 s at the centre of a 50-s model window, seconds from the
/// recording's first sample, the six class probabilities (<see cref="EegClasses"/> order) and its quality.
/// A segment that is not scored keeps the model's probabilities for the record but counts for nothing.
/// </summary>
public sealed record SegmentScore(double StartSeconds, double EndSeconds, float[] Probabilities, SegmentQuality Quality)
{
    public bool Scored => Quality.Scored;

    /// <summary>Index of the most probable class.</summary>
    public int TopClass
    {
        get
        {
            var best = 0;
            for (var c = 1; c < Probabilities.Length; c++)
            {
                if (Probabilities[c] > Probabilities[best])
                {
                    best = c;
                }
            }
            return best;
        }
    }
}
