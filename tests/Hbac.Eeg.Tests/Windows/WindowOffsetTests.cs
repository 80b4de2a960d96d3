using Hbac.Eeg.Windows;

namespace Hbac.Eeg.Tests.Windows;

public class WindowOffsetTests
{
    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(-0.5, "-0.5")]
    public void AnOffsetThatIsNoPlaceInAFileIsRefusedNamingTheOption(double seconds, string shown)
    {
        var e = Assert.Throws<EegDataException>(() => WindowOffset.Require(seconds));
        Assert.Equal($"--offset: {shown} must be a number of seconds >= 0", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1e9)]
    public void ZeroAndLargeOffsetsPassHere(double seconds) => WindowOffset.Require(seconds);
}
