using Hbac.Eeg.Labels;
using Hbac.Eeg.Randomness;
using Hbac.Eeg.Synthetic;

namespace Hbac.Eeg.Tests.Synthetic;

/// <summary>Known answers for the reader that predicts the generator's mean truth for what the signal shows.</summary>
public class PerfectReaderTests
{
    // Enough draws for every common look, few enough for a unit test (well under a second).
    private static readonly Lazy<PerfectReader> s_reader = new(() => PerfectReader.Draw(200_000, seed: 3));

    [Fact]
    public void AVisibleShareBelowFullStrengthIsReadToTheReadersResolution()
    {
        // LPD at 0.5 is drawn; the other patterns (under 0.08) are not.
        var p = s_reader.Value.Predict([0.02, 0.5, 0.03, 0.03, 0.02, 0.4]);

        Assert.InRange(p[1], 0.5 - PerfectReader.ShareResolution, 0.5 + PerfectReader.ShareResolution);
        Assert.Equal(1, p.Sum(), 1e-9);
    }

    [Fact]
    public void TheThirdPatternAndSharesUnderTheDrawingThresholdAreNotSeen()
    {
        // GPD (0.1) is the third pattern and GRDA (0.05) is never drawn: both read like any event showing the same two.
        var reader = s_reader.Value;

        Assert.Equal(reader.Predict([0.4, 0.3, 0.1, 0, 0.05, 0.15]), reader.Predict([0.4, 0.3, 0, 0, 0, 0.3]));
    }

    [Fact]
    public void HiddenMassOfAnOtherDominatedEventGoesMostlyToOther()
    {
        // LPD at 0.2 is all the signal shows; the generator only leaves 0.08 or less to any undrawn pattern.
        var p = s_reader.Value.Predict([0, 0.2, 0, 0, 0, 0.8]);

        Assert.InRange(p[1], 0.2, 0.21);
        Assert.True(p[5] > 0.65, $"Other {p[5]}");
    }

    [Fact]
    public void OnAverageTheReaderPredictsWhatTheGeneratorDraws()
    {
        // The conditional mean keeps the overall mean: averaged over fresh events it is the mean truth.
        var reader = s_reader.Value;
        var rng = new DeterministicRandom(99);
        var meanTruth = new double[EegClasses.Count];
        var meanPrediction = new double[EegClasses.Count];
        const int events = 20_000;
        var readerKl = 0.0;
        var truths = new List<double[]>();
        for (var i = 0; i < events; i++)
        {
            var truth = VoteModel.TrueDistribution(rng.NextCategorical(VoteModel.DominantPrior), rng);
            truths.Add(truth);
            var prediction = reader.Predict(truth);
            readerKl += VoteModel.KlDivergence(truth, prediction) / events;
            for (var c = 0; c < EegClasses.Count; c++)
            {
                meanTruth[c] += truth[c] / events;
                meanPrediction[c] += prediction[c] / events;
            }
        }
        Assert.Equal(meanTruth, meanPrediction, new Tolerance(0.005));
        // And it is far closer to each truth than the prior (the mean truth for every event) is.
        var priorKl = truths.Average(t => VoteModel.KlDivergence(t, meanTruth));
        Assert.True(readerKl < priorKl / 4, $"reader {readerKl}, prior {priorKl}");
    }

    [Fact]
    public void TheSameSeedGivesTheSameReader()
    {
        var a = PerfectReader.Draw(5_000, seed: 7);
        var b = PerfectReader.Draw(5_000, seed: 7);
        double[] truth = [0.1, 0.6, 0.1, 0.1, 0, 0.1];

        Assert.Equal(a.Predict(truth), b.Predict(truth));
    }

    [Fact]
    public void ARareLookFallsBackToCoarserBinsAndStillSumsToOne()
    {
        // Sixteen draws fill no bin: the reader falls back to the mean of everything it drew.
        var reader = PerfectReader.Draw(16, seed: 1);

        var p = reader.Predict([0.45, 0, 0, 0.44, 0, 0.11]);

        Assert.Equal(1, p.Sum(), 1e-9);
        Assert.All(p, v => Assert.InRange(v, 0, 1));
    }

    [Fact]
    public void ADistributionOfTheWrongLengthIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => s_reader.Value.Predict([0.5, 0.5]));
        Assert.Contains("6 classes, got 2", e.Message);
    }

    private sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= epsilon;

        public int GetHashCode(double value) => 0;
    }
}
