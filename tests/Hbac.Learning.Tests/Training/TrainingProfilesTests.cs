using Hbac.Learning.Training;
using Hbac.Onnx;

namespace Hbac.Learning.Tests.Training;

public class TrainingProfilesTests
{
    [Fact]
    public void TheQuickProfileAveragesEegImagesOverTime30xAndSpectrograms6x6OnOneThreadAndSharpensTheEegModel()
    {
        var spectrogram = TrainingProfiles.Create("quick", "mobilenetv3");
        Assert.Equal((6, null), (spectrogram.InputDownsample, spectrogram.InputDownsampleColumns));
        var eeg = TrainingProfiles.Create("quick", "mobilenetv3", ModelInputKind.Eeg);
        Assert.Equal((1, 30), (eeg.InputDownsample, eeg.InputDownsampleColumns));
        // Both models' probabilities are sharpened (temperature 0.9 and 0.8); everything else is the same recipe for both kinds.
        Assert.Equal((0.9, 0.8), (spectrogram.OutputTemperature, eeg.OutputTemperature));
        // Both kinds end with a second stage on the windows with many votes (Training/README.md says why).
        Assert.Equal((12, 10, 12, 10), (spectrogram.FineTuneEpochs, spectrogram.FineTuneMinVotes, eeg.FineTuneEpochs, eeg.FineTuneMinVotes));
        Assert.Equal(spectrogram with { InputDownsample = 1, InputDownsampleColumns = 30, OutputTemperature = 0.8 },
            TrainingProfiles.Create("quick", "mobilenetv3", ModelInputKind.Eeg));
        // Quick runs use one thread (their layers are too small to split), so two share 2 cores; seed runs use every core.
        Assert.Equal(1, spectrogram.Threads);
        Assert.Equal(Environment.ProcessorCount, TrainingProfiles.Create("seed", "mobilenetv3").Threads);
        Assert.Equal(TrainingProfiles.Create("seed", "mobilenetv3"), TrainingProfiles.Create("seed", "mobilenetv3", ModelInputKind.Eeg));
    }
}
