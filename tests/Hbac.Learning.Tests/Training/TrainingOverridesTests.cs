using Hbac.Learning.Training;

namespace Hbac.Learning.Tests.Training;

public sealed class TrainingOverridesTests
{
    private static readonly TrainingOptions Seed = TrainingProfiles.Create("seed", "mobilenetv3");

    [Fact]
    public void NoOverrideKeepsTheProfile()
    {
        Assert.Equal(Seed, new TrainingOverrides().ApplyTo(Seed));
    }

    [Fact]
    public void EachOverrideReplacesOneValue()
    {
        var options = new TrainingOverrides
        {
            Epochs = 3,
            BatchSize = 16,
            WeightDecay = 1e-4,
            Seed = 7,
            Fold = 2,
            Threads = 1,
            InputDownsample = 4,
            MaxTrainWindows = 100,
            MaxValidationWindows = 50,
            Labels = LabelTargets.Consensus,
            AugmentationProbability = 0.25,
            InitialWeights = "w.dat",
            ChannelsLast = false,
            FineTuneEpochs = 5,
            FineTuneMinVotes = 12,
        }.ApplyTo(Seed);

        Assert.Equal(Seed with
        {
            Epochs = 3,
            BatchSize = 16,
            WeightDecay = 1e-4,
            Seed = 7,
            Fold = 2,
            Threads = 1,
            InputDownsample = 4,
            MaxTrainWindows = 100,
            MaxValidationWindows = 50,
            Labels = LabelTargets.Consensus,
            Augmentation = Seed.Augmentation with { Probability = 0.25 },
            InitialWeights = "w.dat",
            ChannelsLast = false,
            FineTuneEpochs = 5,
            FineTuneMinVotes = 12,
        }, options);
    }

    [Fact]
    public void ASquareDownsampleReplacesARectangularOneAndAColumnsFactorAloneKeepsTheRows()
    {
        var rectangular = Seed with { InputDownsample = 5, InputDownsampleColumns = 6 };

        static (int, int?) Pool(TrainingOptions o) => (o.InputDownsample, o.InputDownsampleColumns);
        Assert.Equal((8, null), Pool(new TrainingOverrides { InputDownsample = 8 }.ApplyTo(rectangular)));
        Assert.Equal((5, 12), Pool(new TrainingOverrides { InputDownsampleColumns = 12 }.ApplyTo(rectangular)));
        Assert.Equal((5, 6), Pool(new TrainingOverrides().ApplyTo(rectangular)));
    }

    [Fact]
    public void APeakLearningRateIsStoredPerSampleOfTheEffectiveBatch()
    {
        var options = new TrainingOverrides { PeakLearningRate = 1e-3, BatchSize = 32 }.ApplyTo(Seed);

        Assert.Equal(1e-3 / 32, options.LearningRateMaxPerSample, 15);
        Assert.Equal(1e-3, options.PeakLearningRate, 15);
        Assert.Equal(1e-3, options.Schedule().At(options.LearningRateRampEpochs), 12);
    }

    [Fact]
    public void WithoutAPeakLearningRateTheProfilesPerSampleRateFollowsTheBatch()
    {
        var options = new TrainingOverrides { BatchSize = 32 }.ApplyTo(Seed);

        Assert.Equal(Seed.LearningRateMaxPerSample, options.LearningRateMaxPerSample);
        Assert.Equal(6e-6 * 32, options.PeakLearningRate, 15);
    }

    [Theory]
    [InlineData(double.NaN, 0.0, "--lr")]
    [InlineData(0.0, 0.0, "--lr")]
    [InlineData(1e-3, -1.0, "--weight-decay")]
    [InlineData(1e-3, double.PositiveInfinity, "--weight-decay")]
    public void ValidateRefusesUnusableRatesNamingThem(double peak, double weightDecay, string name)
    {
        var options = new TrainingOverrides { PeakLearningRate = peak, WeightDecay = weightDecay }.ApplyTo(Seed);

        var error = Assert.Throws<Hbac.Eeg.EegDataException>(options.Validate);

        Assert.StartsWith(name + ":", error.Message);
    }

    [Theory]
    [InlineData(-1, 10, "--fine-tune-epochs")]
    [InlineData(8, 0, "--fine-tune-min-votes")]
    public void ValidateRefusesAnUnusableSecondStageNamingTheFlag(int epochs, int minVotes, string name)
    {
        var options = new TrainingOverrides { FineTuneEpochs = epochs, FineTuneMinVotes = minVotes }.ApplyTo(Seed);

        var error = Assert.Throws<Hbac.Eeg.EegDataException>(options.Validate);

        Assert.StartsWith(name + ":", error.Message);
    }
}
