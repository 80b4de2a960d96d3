using Hbac.Learning.Training;

namespace Hbac.Learning.Tests.Training;

public class TrainingProfilesTests
{
    [Fact]
    public void TheQuickProfileAveragesEegImages4xAndSpectrograms8x()
    {
        Assert.Equal(8, TrainingProfiles.Create("quick", "mobilenetv3").InputDownsample);
        Assert.Equal(4, TrainingProfiles.Create("quick", "mobilenetv3", ModelInputKind.Eeg).InputDownsample);
        // Everything else is the same recipe for both kinds.
        Assert.Equal(TrainingProfiles.Create("quick", "mobilenetv3") with { InputDownsample = 4 },
            TrainingProfiles.Create("quick", "mobilenetv3", ModelInputKind.Eeg));
        Assert.Equal(TrainingProfiles.Create("seed", "mobilenetv3"), TrainingProfiles.Create("seed", "mobilenetv3", ModelInputKind.Eeg));
    }
}
