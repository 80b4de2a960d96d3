using Hbac.Cli.Benchmarks;

namespace Hbac.Cli.Tests.Benchmarks;

public sealed class StreamCountSearchTests
{
    /// <summary>Runs the search against a service that meets the target up to <paramref name="limit"/> streams.</summary>
    private static (List<int> Tried, int? Largest, int? SmallestFailed) Search(int limit, int start = 50, int max = 1600)
    {
        var search = new StreamCountSearch(start, max);
        var tried = new List<int>();
        while (search.Next is { } n)
        {
            tried.Add(n);
            search.Record(n, n <= limit);
        }
        return (tried, search.Largest, search.SmallestFailed);
    }

    [Fact]
    public void DoublesUntilALevelFailsThenBisectsToTenPercent()
    {
        var (tried, largest, failed) = Search(limit: 310);

        // 400 fails; 300 passes; 350 and 325 fail; 325 - 300 = 25 <= 10% of 300: done.
        Assert.Equal([50, 100, 200, 400, 300, 350, 325], tried);
        Assert.Equal(300, largest);
        Assert.Equal(325, failed);
    }

    [Fact]
    public void ALimitOnADoublingLevelIsFoundAsThatLevel()
    {
        var (tried, largest, failed) = Search(limit: 200);

        // 212 - 200 = 12 <= 20: within 10% of the largest pass.
        Assert.Equal([50, 100, 200, 400, 300, 250, 225, 212], tried);
        Assert.Equal(200, largest);
        Assert.Equal(212, failed);
    }

    [Fact]
    public void WhenTheFirstLevelFailsItBisectsDownwards()
    {
        var (tried, largest, _) = Search(limit: 7);

        Assert.Equal([50, 25, 12, 6, 9, 7, 8], tried);
        Assert.Equal(7, largest);
    }

    [Fact]
    public void NothingPassingEndsWithNoLargest()
    {
        var (tried, largest, failed) = Search(limit: 0, start: 4);

        Assert.Equal([4, 2, 1], tried);
        Assert.Null(largest);
        Assert.Equal(1, failed);
    }

    [Fact]
    public void StopsAtTheMaximumWhenEverythingPasses()
    {
        var (tried, largest, failed) = Search(limit: int.MaxValue, start: 50, max: 300);

        Assert.Equal([50, 100, 200, 300], tried);
        Assert.Equal(300, largest);
        Assert.Null(failed);
    }

    [Fact]
    public void RecordingAnotherCountThanAskedIsAnError()
    {
        var search = new StreamCountSearch(50, 100);

        Assert.Throws<InvalidOperationException>(() => search.Record(60, true));
    }
}
