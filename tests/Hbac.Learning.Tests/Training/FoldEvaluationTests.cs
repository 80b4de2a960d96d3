using Hbac.Learning.Training;

namespace Hbac.Learning.Tests.Training;

public class FoldEvaluationTests
{
    private static FoldRow Row(long eeg, double votes, double kl, double? reader) =>
        new(LabelId: eeg * 10 + (long)votes, EegId: eeg, PatientId: 1, ExpertVotes: votes, Consensus: 0, Votes: [1, 0, 0, 0, 0, 0],
            Probabilities: [0.5, 0.1, 0.1, 0.1, 0.1, 0.1], Kl: kl, PerfectReaderKl: reader);

    private static FoldEvaluation With(params FoldRow[] rows) =>
        new(0, rows.Length, 1, rows.Average(r => r.Kl), 1.3, null, ConfusionMatrix.From(["a"], [0], [0])) { Rows = rows };

    [Fact]
    public void EachEegsShareIsItsRowsKlOverTheFoldsRowsSoTheSharesAddUpToTheFoldsKl()
    {
        var evaluation = With(Row(1, 3, 0.4, 0.1), Row(1, 5, 0.2, 0.1), Row(2, 10, 1.0, 0.9), Row(3, 1, 0.1, 0.3));

        var shares = evaluation.ByEeg();

        // Furthest above the reader first: EEG 1 (+0.1), then EEG 2 (+0.025), then EEG 3 (-0.05).
        Assert.Equal([1L, 2L, 3L], shares.Select(s => s.EegId));
        Assert.Equal((2, 4.0), (shares[0].Rows, shares[0].MeanVotes));
        Assert.Equal(0.15, shares[0].Kl, 12);
        Assert.Equal(0.05, shares[0].PerfectReaderKl!.Value, 12);
        Assert.Equal(evaluation.ModelKl, shares.Sum(s => s.Kl), 12);
    }

    [Fact]
    public void WithoutTruthTheLargestShareComesFirst()
    {
        var shares = With(Row(1, 3, 0.2, null), Row(2, 3, 0.9, null), Row(3, 3, 0.5, null)).ByEeg();

        Assert.Equal([2L, 3L, 1L], shares.Select(s => s.EegId));
        Assert.All(shares, s => Assert.Null(s.PerfectReaderKl));
    }
}
