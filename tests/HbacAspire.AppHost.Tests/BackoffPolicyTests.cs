using HbacAspire.AppHost.Restarts;

namespace HbacAspire.AppHost.Tests;

public class BackoffPolicyTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(5, 16)]
    [InlineData(6, 30)]
    [InlineData(100, 30)]
    public void DelayDoublesUpToTheCap(int failures, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), BackoffPolicy.Default.Delay(failures));
    }

    [Fact]
    public void FailureCountStartsAtOne()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BackoffPolicy.Default.Delay(0));
    }
}
