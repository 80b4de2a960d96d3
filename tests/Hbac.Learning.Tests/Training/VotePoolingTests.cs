using Hbac.Learning.Training;

namespace Hbac.Learning.Tests.Training;

public class VotePoolingTests
{
    private static TrainingWindow Row(long labelId, long eegId, float[] votes, double experts, int consensus = 0) =>
        new(labelId, eegId, SpectrogramId: 9, OffsetSeconds: 0, PatientId: 1, Consensus: consensus, Votes: votes) { ExpertVotes = experts };

    [Fact]
    public void RowsOfOneEegShareTheirAddedVoteCounts()
    {
        // EEG 1: one expert says Seizure; three say 1 LPD + 2 Other. Pooled: 1 Seizure, 1 LPD, 2 Other of 4.
        var rows = new[]
        {
            Row(1, eegId: 1, [1, 0, 0, 0, 0, 0], experts: 1),
            Row(2, eegId: 1, [0, 1 / 3f, 0, 0, 0, 2 / 3f], experts: 3, consensus: 5),
            Row(3, eegId: 2, [0, 0, 0.5f, 0.5f, 0, 0], experts: 2, consensus: 2),
        };
        var pooled = VotePooling.PoolByEeg(rows);
        float[] expected = [0.25f, 0.25f, 0, 0, 0, 0.5f];
        Assert.Equal(expected, pooled[0].Votes, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(expected, pooled[1].Votes, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(rows[2].Votes, pooled[2].Votes);
        // Everything else of a row stays its own: ids, consensus and the original rows themselves.
        Assert.Equal([1L, 2, 3], pooled.Select(w => w.LabelId));
        Assert.Equal([0, 5, 2], pooled.Select(w => w.Consensus));
        Assert.Equal(1f, rows[0].Votes[0]);
    }

    [Fact]
    public void PooledTargetsAreTheVotesAndConsensusStaysOneHot()
    {
        var row = Row(1, 1, [0.25f, 0.75f, 0, 0, 0, 0], experts: 4, consensus: 1);
        Assert.Same(row.Votes, row.Target(LabelTargets.PooledVotes));
        Assert.Equal([0f, 1, 0, 0, 0, 0], row.Target(LabelTargets.Consensus));
        Assert.Equal(LabelTargets.PooledVotes, LabelTargetsParser.Parse(" Pooled "));
        Assert.Equal("pooled", LabelTargets.PooledVotes.Name());
    }
}
