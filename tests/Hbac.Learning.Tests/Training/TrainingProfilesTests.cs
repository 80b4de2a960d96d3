using Hbac.Learning.Training;

namespace Hbac.Learning.Tests.Training;

public class TrainingProfilesTests
{
    [Fact]
    public void TheQuickProfileAveragesEegImages2xBy30xAndSpectrograms8x()
    {
        var spectrogram = TrainingProfiles.Create("quick", "mobilenetv3");
        Assert.Equal((8, null), (spectrogram.InputDownsample, spectrogram.InputDownsampleColumns));
        var eeg = TrainingProfiles.Create("quick", "mobilenetv3", ModelInputKind.Eeg);
        Assert.Equal((2, 30), (eeg.InputDownsample, eeg.InputDownsampleColumns));
        // Everything else is the same recipe for both kinds.
        Assert.Equal(spectrogram with { InputDownsample = 2, InputDownsampleColumns = 30 },
            TrainingProfiles.Create("quick", "mobilenetv3", ModelInputKind.Eeg));
        Assert.Equal(TrainingProfiles.Create("seed", "mobilenetv3"), TrainingProfiles.Create("seed", "mobilenetv3", ModelInputKind.Eeg));
    }
}
