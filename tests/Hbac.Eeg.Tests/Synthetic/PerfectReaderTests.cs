using Hbac.Eeg.Synthetic;

namespace Hbac.Eeg.Tests.Synthetic;

/// <summary>Known answers for the reader that sees exactly what the generator draws into the signal.</summary>
public class PerfectReaderTests
{
    // Seizure at full strength (0.7) with LPD beside it; the hidden 0.1 is all Other.
    private static readonly double[] FullStrength = [0.7, 0.2, 0, 0, 0, 0.1];
    // Seizure below full strength with LPD; hidden: GPD 0.05 and Other 0.35 of a rest of 0.4.
    private static readonly double[] BelowFullStrength = [0.5, 0.1, 0.05, 0, 0, 0.35];

    [Fact]
    public void AShareAtFullStrengthIsReadAsTheTrainingMeanAndTheRestSpreadAsTheTrainingRowsSpreadIt()
    {
        var reader = PerfectReader.Fit([FullStrength, BelowFullStrength]);

        // GRDA's 0.05 is below the share at which a pattern is drawn: it is hidden like the others.
        var p = reader.Predict([0.9, 0, 0, 0, 0.05, 0.05]);

        // Hidden mass 0.3, spread GPD : Other = mean(0, 0.125) : mean(1, 0.875) = 0.0625 : 0.9375.
        Assert.Equal([0.7, 0, 0.01875, 0, 0, 0.28125], p, new Tolerance(1e-12));
    }

    [Fact]
    public void OnlyTheTwoLeadingPatternsAreReadAndBelowFullStrengthTheirSharesAreExact()
    {
        var reader = PerfectReader.Fit([FullStrength, BelowFullStrength]);

        // GPD (0.1) is the third pattern: the generator does not draw it, so it is read as hidden.
        var p = reader.Predict([0.4, 0.3, 0.1, 0, 0, 0.2]);

        Assert.Equal([0.4, 0.3, 0.01875, 0, 0, 0.28125], p, new Tolerance(1e-12));
    }

    [Fact]
    public void WhenAFullStrengthMeanLeavesNothingTheHiddenClassesStillGetTheMinimumMass()
    {
        var reader = PerfectReader.Fit([[0.98, 0, 0, 0, 0, 0.02]]);

        var p = reader.Predict([0.6, 0.39, 0, 0, 0, 0.01]);

        var sum = 0.98 + 0.39 + PerfectReader.MinimumHiddenMass;
        Assert.Equal([0.98 / sum, 0.39 / sum, 0, 0, 0, PerfectReader.MinimumHiddenMass / sum], p, new Tolerance(1e-12));
    }

    [Fact]
    public void WithoutTrainingRowsFullStrengthIsTheMiddleOfItsRangeAndTheRestIsSpreadEvenly()
    {
        var reader = PerfectReader.Fit([]);

        var p = reader.Predict([0, 0, 0, 0, 0.2, 0.8]);

        // GRDA 0.2 read exactly; Other and the four other patterns share 0.8 evenly.
        Assert.Equal([0.16, 0.16, 0.16, 0.16, 0.2, 0.16], p, new Tolerance(1e-12));
    }

    [Fact]
    public void ADistributionOfTheWrongLengthIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => PerfectReader.Fit([[0.5, 0.5]]));
        Assert.Contains("6 classes, got 2", e.Message);
    }

    private sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= epsilon;

        public int GetHashCode(double value) => 0;
    }
}
