using Hbac.Learning.Torch;

namespace Hbac.Learning.Tests.Torch;

[Collection("Torch")]
public sealed class NnpackTests
{
    [Fact]
    public void TheSwitchIsFoundAndLeavesNnpackOnOnlyWhereItRuns()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Equal(NnpackState.Unknown, Nnpack.DisableWhereUnavailable());
            return;
        }
        // The pinned libtorch (2.10) exports all four functions; a rename in another version would make this Unknown.
        var state = Nnpack.DisableWhereUnavailable();
        Assert.NotEqual(NnpackState.Unknown, state);
        Assert.Equal(state == NnpackState.Available, Nnpack.UserEnabled());
        Assert.Equal(state, Nnpack.DisableWhereUnavailable()); // asked once per process
    }
}
