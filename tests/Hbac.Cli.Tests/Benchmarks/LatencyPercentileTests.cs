using Hbac.Cli.Benchmarks;

namespace Hbac.Cli.Tests.Benchmarks;

public sealed class LatencyPercentileTests
{
    [Theory]
    [InlineData(100, 0.99, 99)]
    [InlineData(100, 0.5, 50)]
    [InlineData(10, 0.99, 10)]
    [InlineData(10, 0.5, 5)]
    [InlineData(1, 0.99, 1)]
    [InlineData(200, 0.99, 198)]
    [InlineData(7, 0, 1)]
    [InlineData(7, 1, 7)]
    public void NearestRankOfOneToN(int n, double q, double expected)
    {
        var sorted = Enumerable.Range(1, n).Select(i => (double)i).ToArray();

        Assert.Equal(expected, LatencyPercentile.NearestRank(sorted, q));
    }

    [Fact]
    public void NoValuesHaveNoPercentile() => Assert.True(double.IsNaN(LatencyPercentile.NearestRank([], 0.99)));
}
