using Hbac.Eeg.Labels;

namespace Hbac.Learning.Training;

/// <summary>
/// Rows of one EEG in train.csv label overlapping windows of one event, each with the votes of its own
/// (often 1-3) experts. Adding the vote counts of all of them gives a steadier estimate of what experts
/// think of that event than any single row: a one-vote row is a one-hot guess.
/// </summary>
public static class VotePooling
{
    /// <summary>The windows with <see cref="TrainingWindow.Votes"/> replaced by their EEG's pooled distribution.</summary>
    public static IReadOnlyList<TrainingWindow> PoolByEeg(IReadOnlyList<TrainingWindow> windows)
    {
        var pooled = new Dictionary<long, double[]>();
        foreach (var window in windows)
        {
            if (!pooled.TryGetValue(window.EegId, out var sum))
            {
                sum = new double[window.Votes.Length];
                pooled[window.EegId] = sum;
            }
            for (var c = 0; c < sum.Length; c++)
            {
                sum[c] += window.Votes[c] * window.ExpertVotes;
            }
        }
        // One distribution per EEG, shared by its rows (nothing writes a window's votes).
        var distributions = pooled.ToDictionary(p => p.Key, p => VoteMath.Normalise(p.Value).Select(v => (float)v).ToArray());
        return windows.Select(w => w with { Votes = distributions[w.EegId] }).ToArray();
    }
}
