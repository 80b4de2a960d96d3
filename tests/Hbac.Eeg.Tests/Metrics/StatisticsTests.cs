using Hbac.Eeg.Metrics;

namespace Hbac.Eeg.Tests.Metrics;

public class StatisticsTests
{
    [Theory]
    [InlineData(new double[] { 3, 1, 2 }, 2)]
    [InlineData(new double[] { 4, 1, 3, 2 }, 2.5)]
    [InlineData(new double[] { 7 }, 7)]
    [InlineData(new double[] { 5, 5, 1, 100 }, 5)]
    public void TheMedianIsTheMiddleValueOrTheMeanOfTheMiddleTwo(double[] values, double expected)
    {
        Assert.Equal(expected, Statistics.Median(values));
    }

    [Fact]
    public void NoValuesHaveNoMedianAndTheInputIsLeftInItsOrder()
    {
        Assert.True(double.IsNaN(Statistics.Median([])));
        var values = new List<double> { 3, 1, 2 };
        Statistics.Median(values);
        Assert.Equal([3, 1, 2], values);
    }
}
