using Hbac.Learning.Training;

namespace Hbac.Learning.Tests.Training;

public class FoldEvaluationTests
{
    private static FoldRow Row(long eeg, double votes, double kl, double? reader, long patient = 1) =>
        new(LabelId: eeg * 10 + (long)votes, EegId: eeg, PatientId: patient, ExpertVotes: votes, Consensus: 0, Votes: [1, 0, 0, 0, 0, 0],
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

    [Fact]
    public void TheKlIntervalResamplesTheFoldsPatientsAndTheReadersIsPaired()
    {
        // Patients 1-4; patient 4's two rows are the model's worst, and the reader finds the same rows hard.
        var evaluation = With(Row(1, 3, 0.4, 0.3, patient: 1), Row(2, 3, 0.5, 0.45, patient: 2), Row(3, 3, 0.3, 0.2, patient: 3),
            Row(4, 3, 1.4, 1.3, patient: 4), Row(5, 3, 1.2, 1.15, patient: 4));

        var kl = evaluation.KlInterval()!;
        var above = evaluation.AboveReaderInterval()!;

        Assert.Equal(evaluation.ModelKl, kl.Estimate, 12);
        Assert.Equal(4, kl.Groups);
        Assert.Equal(Hbac.Eeg.Metrics.GroupBootstrap.MeanInterval([0.4, 0.5, 0.3, 1.4, 1.2], [1, 2, 3, 4, 4]), kl);
        Assert.Equal(0.08, above.Estimate, 12);
        // The hard rows are hard for both: the difference moves far less than the KL itself.
        Assert.True(above.High - above.Low < (kl.High - kl.Low) / 5, $"KL {kl.Low}-{kl.High}, above the reader {above.Low}-{above.High}");
    }

    [Fact]
    public void TooFewPatientsOrNoReaderGiveNoInterval()
    {
        Assert.Null(With(Row(1, 3, 0.4, 0.1, patient: 1), Row(2, 3, 0.2, 0.1, patient: 2), Row(3, 3, 0.2, 0.1, patient: 2)).KlInterval());
        var noReader = With(Row(1, 3, 0.4, null, patient: 1), Row(2, 3, 0.2, null, patient: 2), Row(3, 3, 0.2, null, patient: 3));
        Assert.NotNull(noReader.KlInterval());
        Assert.Null(noReader.AboveReaderInterval());
    }

    [Fact]
    public void AComparisonPairsTheRowsBothScoredByLabel()
    {
        var model = With(Row(1, 3, 0.4, null, patient: 1), Row(2, 3, 0.5, null, patient: 2), Row(3, 3, 0.3, null, patient: 3), Row(4, 3, 0.9, null, patient: 4));
        // The baseline lacks EEG 4's row (say its spectrogram is missing) and lists its rows in another order.
        var baseline = With(Row(3, 3, 0.6, null, patient: 3), Row(1, 3, 0.5, null, patient: 1), Row(2, 3, 0.9, null, patient: 2));

        var comparison = FoldComparison.Of(model, baseline);

        Assert.Equal(3, comparison.Rows);
        Assert.Equal(0.4, comparison.ModelKl, 12);
        Assert.Equal(2.0 / 3, comparison.BaselineKl, 12);
        Assert.Equal(-0.8 / 3, comparison.KlDifference, 12);
        Assert.Equal(Hbac.Eeg.Metrics.GroupBootstrap.MeanInterval([0.4 - 0.5, 0.5 - 0.9, 0.3 - 0.6], [1, 2, 3]), comparison.Difference);
        Assert.True(comparison.Difference!.High < 0, "every row is better with the model");
    }

    [Fact]
    public void AComparisonNeedsTheSameFoldAndSharedRows()
    {
        var model = With(Row(1, 3, 0.4, null));
        Assert.Contains("share no label_id", Assert.Throws<ArgumentException>(() => FoldComparison.Of(model, With(Row(9, 3, 0.4, null)))).Message);
        var otherFold = With(Row(1, 3, 0.4, null)) with { Fold = 2 };
        Assert.Contains("fold 0 and the baseline on fold 2", Assert.Throws<ArgumentException>(() => FoldComparison.Of(model, otherFold)).Message);
        // One patient: a difference, no interval.
        Assert.Null(FoldComparison.Of(model, With(Row(1, 3, 0.2, null))).Difference);
    }
}
