using HbacAspire.ServiceDefaults.Requests;

namespace HbacAspire.ServiceDefaults.Tests.Requests;

public sealed class StatusDetailTests
{
    [Fact]
    public void AShortValueIsEchoedAsGiven()
    {
        Assert.Equal("1000086677", StatusDetail.Echo("1000086677"));
        Assert.Equal(new string('a', 200), StatusDetail.Echo(new string('a', 200)));
        Assert.Equal("", StatusDetail.Echo(null));
    }

    [Fact]
    public void ALongValueKeepsItsFirst200CharactersAndSaysHowLongItWas()
    {
        var echoed = StatusDetail.Echo(new string('x', 10_240));

        Assert.Equal(new string('x', 200) + "... (10240 chars)", echoed);
    }

    [Fact]
    public void ACutNeverSplitsASurrogatePair()
    {
        // 199 ASCII characters, then an emoji (two UTF-16 units) straddling the cut.
        var value = new string('a', 199) + "\U0001F600" + new string('b', 50);

        var echoed = StatusDetail.Echo(value);

        Assert.StartsWith(new string('a', 199) + "...", echoed);
        Assert.DoesNotContain('\uD83D', echoed);
    }

    [Fact]
    public void AWholeDetailIsBoundedTo1000Characters()
    {
        var bounded = StatusDetail.Bound(new string('y', 5000));

        Assert.Equal(1000 + "... (5000 chars)".Length, bounded.Length);
    }
}
