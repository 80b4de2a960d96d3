using Hbac.Learning.Training;

namespace Hbac.Learning.Tests.Training;

public sealed class LearningRateScheduleTests
{
    [Theory]
    [InlineData(0, 5e-5)]
    [InlineData(1, 1.6133333333333334e-4)]
    [InlineData(2, 2.7266666666666666e-4)]
    [InlineData(3, 3.84e-4)]
    [InlineData(4, 3.7856611985867176e-4)]
    [InlineData(12, 9.077189236127388e-5)]
    public void SeedScheduleForBatch64And13Epochs(int epoch, double expected)
    {
        var schedule = LearningRateSchedule.Seed(batchSize: 64, epochs: 13);
        Assert.Equal(expected, schedule.At(epoch), 12);
    }

    [Fact]
    public void DecayFollowsTheEpochCount()
    {
        // The seed built its callback for 10 epochs: its last epoch would have been 1.915e-5, not 9.08e-5 for 13.
        Assert.Equal(1.915243145280629e-5, LearningRateSchedule.Seed(64, 10).At(12), 12);
        Assert.NotEqual(LearningRateSchedule.Seed(64, 10).At(8), LearningRateSchedule.Seed(64, 13).At(8));
    }

    [Fact]
    public void OptionsBuildTheSeedScheduleFromTheBatchSize()
    {
        var options = TrainingProfiles.Create("seed", "mobilenetv3") with { BatchSize = 32 };
        Assert.Equal(6e-6 * 32, options.Schedule().Max, 15);
        Assert.Equal(13, options.Schedule().Epochs);
    }

    [Fact]
    public void TheSecondStageFollowsTheFirstWithItsOwnDecay()
    {
        var options = new TrainingOptions { Model = "mobilenetv3", Profile = "quick", Epochs = 4, FineTuneEpochs = 8, FineTuneLearningRate = 2e-4, FineTuneLearningRateMin = 2e-5 };
        Assert.Equal(12, options.TotalEpochs);
        Assert.Equal(options.Schedule().At(3), options.LearningRateAt(3));
        Assert.Equal(2e-4, options.LearningRateAt(4), 15);
        Assert.Equal(2e-4, options.LearningRateAt(5), 15);
        var decay = Enumerable.Range(5, 7).Select(options.LearningRateAt).ToArray();
        Assert.True(decay.Zip(decay.Skip(1)).All(p => p.Second < p.First), string.Join(", ", decay));
        Assert.InRange(decay[^1], 5e-5, 1e-4); // the cosine runs over epochs + 2, as the first stage's, so it stops short of the floor
    }
}
