using Hbac.Eeg.Metrics;

namespace Hbac.Eeg.Tests.Metrics;

public class GroupBootstrapTests
{
    [Fact]
    public void RowsThatAllAgreeHaveNoSpread()
    {
        var interval = GroupBootstrap.MeanInterval([0.6, 0.6, 0.6, 0.6], [1, 1, 2, 3]);

        Assert.Equal(0.6, interval.Estimate, 12);
        Assert.Equal(0.6, interval.Low, 12);
        Assert.Equal(0.6, interval.High, 12);
        Assert.Equal(3, interval.Groups);
        Assert.Equal(GroupBootstrap.DefaultResamples, interval.Resamples);
    }

    [Fact]
    public void IndependentRowsGiveTheTextbookIntervalOfAMean()
    {
        // 400 rows, half 0 and half 1, each its own group: the mean's standard error is sqrt(0.25 / 400) = 0.025,
        // so the 95 % interval is about 0.5 +- 0.049.
        var values = Enumerable.Range(0, 400).Select(i => (double)(i % 2)).ToArray();
        var groups = Enumerable.Range(0, 400).Select(i => (long)i).ToArray();

        var interval = GroupBootstrap.MeanInterval(values, groups);

        Assert.Equal(0.5, interval.Estimate, 12);
        Assert.InRange(interval.Low, 0.44, 0.46);
        Assert.InRange(interval.High, 0.54, 0.56);
    }

    [Fact]
    public void RowsOfOneGroupMoveTogether()
    {
        // The same 400 values, now 10 groups of 40 identical rows: effectively 10 draws, an interval about sqrt(40) wider.
        var values = Enumerable.Range(0, 400).Select(i => (double)(i / 40 % 2)).ToArray();
        var grouped = GroupBootstrap.MeanInterval(values, [.. Enumerable.Range(0, 400).Select(i => (long)(i / 40))]);
        var independent = GroupBootstrap.MeanInterval(values, [.. Enumerable.Range(0, 400).Select(i => (long)i)]);

        Assert.Equal(10, grouped.Groups);
        Assert.True(grouped.High - grouped.Low > 4 * (independent.High - independent.Low),
            $"grouped {grouped.Low}-{grouped.High}, independent {independent.Low}-{independent.High}");
        Assert.InRange(grouped.Low, 0.1, 0.3);
        Assert.InRange(grouped.High, 0.7, 0.9);
    }

    [Fact]
    public void GroupsOfUnequalSizeWeighTheirRowsNotThemselves()
    {
        // One group of 9 rows at 1 and one of 1 row at 0: the mean is 0.9, and a resample drawing one group twice
        // averages that group's rows only (1 or 0), so the interval reaches both ends.
        double[] values = [1, 1, 1, 1, 1, 1, 1, 1, 1, 0];
        long[] groups = [7, 7, 7, 7, 7, 7, 7, 7, 7, 8];

        var interval = GroupBootstrap.MeanInterval(values, groups, resamples: 1000);

        Assert.Equal(0.9, interval.Estimate, 12);
        Assert.Equal(0, interval.Low, 12);
        Assert.Equal(1, interval.High, 12);
    }

    [Fact]
    public void ASeedGivesTheSameIntervalAndAnotherSeedAnother()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 98).Select(_ => random.NextDouble()).ToArray();
        var groups = Enumerable.Range(0, 98).Select(i => (long)(i % 17)).ToArray();

        var first = GroupBootstrap.MeanInterval(values, groups);
        var again = GroupBootstrap.MeanInterval(values, groups);
        var other = GroupBootstrap.MeanInterval(values, groups, seed: 7);

        Assert.Equal(first, again);
        Assert.NotEqual(first.Low, other.Low);
        Assert.True(first.Low < first.Estimate && first.Estimate < first.High);
    }

    [Fact]
    public void BadInputIsRefusedByName()
    {
        Assert.Contains("one group id per row", Assert.Throws<ArgumentException>(() => GroupBootstrap.MeanInterval([1, 2], [1])).Message);
        Assert.Contains("no rows", Assert.Throws<ArgumentException>(() => GroupBootstrap.MeanInterval([], [])).Message);
        Assert.Contains("values[1] is NaN", Assert.Throws<ArgumentException>(() => GroupBootstrap.MeanInterval([1, double.NaN], [1, 2])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => GroupBootstrap.MeanInterval([1], [1], resamples: 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => GroupBootstrap.MeanInterval([1], [1], level: 1));
    }
}
