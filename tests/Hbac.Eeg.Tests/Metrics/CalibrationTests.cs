using Hbac.Eeg.Metrics;

namespace Hbac.Eeg.Tests.Metrics;

public sealed class CalibrationTests
{
    [Fact]
    public void PredictionsThatAreTheObservedSharesHaveNoError()
    {
        var random = new Random(3);
        var rows = Enumerable.Range(0, 200).SelectMany(_ => Distribution(random, 6)).ToArray();

        foreach (var kind in new[] { CalibrationKind.Classwise, CalibrationKind.TopLabel })
        {
            var calibration = Calibration.Of(kind, rows, rows, 6);
            Assert.Equal(0, calibration.ExpectedError, 12);
            Assert.Equal(0, calibration.MaxError, 12);
            Assert.All(calibration.Bins, b => Assert.Equal(b.MeanPredicted, b.MeanObserved, 12));
        }
    }

    [Fact]
    public void AnOverconfidentModelHasTheKnownGapInEachBin()
    {
        // 10 windows said 0.9 / 0.1 where the votes were 0.6 / 0.4, and 30 windows said 0.5 / 0.5 where they were 0.5 / 0.5.
        double[] predicted = [.. Repeat([0.9, 0.1], 10), .. Repeat([0.5, 0.5], 30)];
        double[] observed = [.. Repeat([0.6, 0.4], 10), .. Repeat([0.5, 0.5], 30)];

        var classwise = Calibration.Of(CalibrationKind.Classwise, predicted, observed, 2);

        Assert.Equal(80, classwise.Predictions);
        Assert.Equal([1, 5, 9], classwise.Bins.Select(b => (int)Math.Round(b.From * 10)));
        Assert.Equal([10, 60, 10], classwise.Bins.Select(b => b.Count));
        Assert.Equal(-0.3, classwise.Bins[0].Gap, 12);
        Assert.Equal(0, classwise.Bins[1].Gap, 12);
        Assert.Equal(0.3, classwise.Bins[2].Gap, 12);
        // (10 x 0.3 + 60 x 0 + 10 x 0.3) / 80
        Assert.Equal(0.075, classwise.ExpectedError, 12);
        Assert.Equal(0.3, classwise.MaxError, 12);

        var top = Calibration.Of(CalibrationKind.TopLabel, predicted, observed, 2);
        // The top label: 0.9 (said) against 0.6 (voted) for 10 windows; a tie takes the first class, 0.5 against 0.5.
        Assert.Equal(40, top.Predictions);
        Assert.Equal([30, 10], top.Bins.Select(b => b.Count));
        Assert.Equal(0.3 * 10 / 40, top.ExpectedError, 12);
    }

    [Fact]
    public void ABinWithFewPredictionsCountsInTheExpectedErrorButNotInTheMaximum()
    {
        double[] predicted = [.. Repeat([0.95, 0.05], 2), .. Repeat([0.35, 0.65], 20)];
        double[] observed = [.. Repeat([0.15, 0.85], 2), .. Repeat([0.45, 0.55], 20)];

        var calibration = Calibration.Of(CalibrationKind.TopLabel, predicted, observed, 2);

        Assert.Equal((2 * 0.8 + 20 * 0.1) / 22, calibration.ExpectedError, 12);
        Assert.Equal(0.1, calibration.MaxError, 12);
    }

    [Fact]
    public void AProbabilityOfOneFallsInTheLastBin()
    {
        var calibration = Calibration.Of(CalibrationKind.Classwise, [1.0, 0.0], [1.0, 0.0], 2, bins: 4);

        Assert.Equal([0.0, 0.75], calibration.Bins.Select(b => b.From));
    }

    [Theory]
    [InlineData(new[] { 0.5, 0.5, 0.5 }, new[] { 0.5, 0.5, 0.5 }, "both must be windows x 2")]
    [InlineData(new[] { 0.5, 0.5 }, new[] { 0.5, 0.5, 0.0, 1.0 }, "predicted has 2 values and observed 4")]
    [InlineData(new[] { 1.5, -0.5 }, new[] { 0.5, 0.5 }, "a predicted probability of 1.5")]
    [InlineData(new[] { double.NaN, 0.5 }, new[] { 0.5, 0.5 }, "a predicted probability of NaN")]
    public void BadInputIsRefusedNamingIt(double[] predicted, double[] observed, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => Calibration.Of(CalibrationKind.Classwise, predicted, observed, 2));
        Assert.Contains(expected, error.Message);
    }

    private static IEnumerable<double> Repeat(double[] row, int times) => Enumerable.Repeat(row, times).SelectMany(r => r);

    private static double[] Distribution(Random random, int classes)
    {
        var values = Enumerable.Range(0, classes).Select(_ => random.NextDouble()).ToArray();
        var sum = values.Sum();
        return [.. values.Select(v => v / sum)];
    }
}
