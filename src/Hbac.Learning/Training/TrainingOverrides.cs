namespace Hbac.Learning.Training;

/// <summary>
/// Single values that replace a profile's (<see cref="TrainingProfiles"/>); null keeps the profile's.
/// One place for how a user-facing override maps onto <see cref="TrainingOptions"/>, shared by
/// <c>hbac train</c> and the training service.
/// </summary>
public sealed record TrainingOverrides
{
    public int? Epochs { get; init; }
    public int? BatchSize { get; init; }
    /// <summary>Peak learning rate after the ramp-up (the schedule's lr_max, stored per sample of the batch).</summary>
    public double? PeakLearningRate { get; init; }
    /// <summary>Adam's L2 weight decay.</summary>
    public double? WeightDecay { get; init; }
    public int? Seed { get; init; }
    public int? Fold { get; init; }
    public int? Threads { get; init; }
    public int? InputDownsample { get; init; }
    /// <summary>The columns' factor; with <see cref="InputDownsample"/> set and this null, the pool is square.</summary>
    public int? InputDownsampleColumns { get; init; }
    public int? MaxTrainWindows { get; init; }
    public int? MaxValidationWindows { get; init; }
    public LabelTargets? Labels { get; init; }
    /// <summary>Probability of each augmentation per batch.</summary>
    public double? AugmentationProbability { get; init; }
    public string? InitialWeights { get; init; }
    /// <summary>The convolutions' layout (see <see cref="TrainingOptions.ChannelsLast"/>).</summary>
    public bool? ChannelsLast { get; init; }
    /// <summary>Softmax temperature of validation and the exported model (see <see cref="TrainingOptions.OutputTemperature"/>).</summary>
    public double? OutputTemperature { get; init; }
    /// <summary>Epochs of the second stage on the windows with many votes (see <see cref="TrainingOptions.FineTuneEpochs"/>).</summary>
    public int? FineTuneEpochs { get; init; }
    public int? FineTuneMinVotes { get; init; }

    public TrainingOptions ApplyTo(TrainingOptions options)
    {
        var batchSize = BatchSize ?? options.BatchSize;
        return options with
        {
            Epochs = Epochs ?? options.Epochs,
            BatchSize = batchSize,
            LearningRateMaxPerSample = PeakLearningRate is { } lr ? lr / batchSize : options.LearningRateMaxPerSample,
            WeightDecay = WeightDecay ?? options.WeightDecay,
            Seed = Seed ?? options.Seed,
            Fold = Fold ?? options.Fold,
            Threads = Threads ?? options.Threads,
            InputDownsample = InputDownsample ?? options.InputDownsample,
            InputDownsampleColumns = InputDownsample is null && InputDownsampleColumns is null ? options.InputDownsampleColumns : InputDownsampleColumns,
            MaxTrainWindows = MaxTrainWindows ?? options.MaxTrainWindows,
            MaxValidationWindows = MaxValidationWindows ?? options.MaxValidationWindows,
            Labels = Labels ?? options.Labels,
            Augmentation = AugmentationProbability is { } p ? options.Augmentation with { Probability = p } : options.Augmentation,
            InitialWeights = InitialWeights ?? options.InitialWeights,
            ChannelsLast = ChannelsLast ?? options.ChannelsLast,
            OutputTemperature = OutputTemperature ?? options.OutputTemperature,
            FineTuneEpochs = FineTuneEpochs ?? options.FineTuneEpochs,
            FineTuneMinVotes = FineTuneMinVotes ?? options.FineTuneMinVotes,
        };
    }
}
