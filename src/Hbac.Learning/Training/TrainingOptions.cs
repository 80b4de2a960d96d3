namespace Hbac.Learning.Training;

/// <summary>
/// Every hyper-parameter of a training run. A profile (<see cref="TrainingProfiles"/>) fills them in;
/// command-line flags override single values. All of it is written to card.json.
/// </summary>
public sealed record TrainingOptions
{
    public required string Model { get; init; }
    public required string Profile { get; init; }
    public int Epochs { get; init; } = 13;
    public int BatchSize { get; init; } = 64;
    public int Fold { get; init; }
    public int FoldCount { get; init; } = 5;
    public int FoldSeed { get; init; } = 42;
    public LabelTargets Labels { get; init; } = LabelTargets.Votes;
    /// <summary>Seeds weight init, shuffles and augmentation.</summary>
    public int Seed { get; init; } = 42;
    /// <summary>torch.set_num_threads; together with the seed it makes a run reproducible.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>Average-pool factor at the model's entry (1 = full 400x300); the model still takes [N,3,400,300].</summary>
    public int InputDownsample { get; init; } = 1;
    /// <summary>The factor over columns (time) when it differs from <see cref="InputDownsample"/>'s, which then pools rows only; null = the same.</summary>
    public int? InputDownsampleColumns { get; init; }
    /// <summary>Use at most this many training windows (a seeded random subset), or all when null.</summary>
    public int? MaxTrainWindows { get; init; }
    /// <summary>Use at most this many validation windows (a seeded random subset), or all when null.</summary>
    public int? MaxValidationWindows { get; init; }
    public AugmentationOptions Augmentation { get; init; } = new();
    public double LearningRateStart { get; init; } = 5e-5;
    /// <summary>lr_max = this x batch size (the seed's 6e-6 x batch).</summary>
    public double LearningRateMaxPerSample { get; init; } = 6e-6;
    public double LearningRateMin { get; init; } = 1e-5;
    public int LearningRateRampEpochs { get; init; } = 3;
    /// <summary>Adam's L2 weight decay (0 = none, the seed's recipe).</summary>
    public double WeightDecay { get; init; }
    /// <summary>
    /// PyTorch-convention BatchNorm momentum (weight of the new batch). torchvision's MobileNetV3 and
    /// Keras both use 0.01 (Keras 0.99): with few steps per epoch the running statistics barely leave
    /// their initial values, and the seed's eval-mode validation loss wandered (2-6). 0.1 tracks them.
    /// </summary>
    public double BatchNormMomentum { get; init; } = 0.1;
    /// <summary>
    /// Before each validation, BatchNorm running statistics are re-estimated as the plain average over
    /// this many clean (un-augmented) training batches ("precise BN"). Training batches are mixed and
    /// masked, which shrinks their variance (MixUp of two windows has ~0.6x the variance), so the running
    /// statistics otherwise describe inputs the model never sees at inference. 0 turns it off.
    /// </summary>
    public int BatchNormRecalibrationBatches { get; init; } = 16;
    /// <summary>
    /// Temperature T of the served probabilities, softmax(logits / T): validation, the best epoch and the
    /// exported model (its classifier layer divided by T) use it, the training loss does not. MixUp on every
    /// batch trains on blended targets and leaves the model underconfident on unblended windows; T &lt; 1
    /// sharpens it back. A recipe constant chosen on other folds than the one reported, never fitted to it.
    /// </summary>
    public double OutputTemperature { get; init; } = 1.0;
    /// <summary>TorchSharp weights (.dat) or an ONNX file of this project to start from; random init when null.</summary>
    public string? InitialWeights { get; init; }
    /// <summary>
    /// Convolutions on channels-last tensors (<see cref="Models.ModelOptions.ChannelsLast"/>, twice as fast on a CPU).
    /// They round differently from NCHW, so a seed trains along another path: false reproduces runs made before.
    /// </summary>
    public bool ChannelsLast { get; init; } = true;
    /// <summary>
    /// The convolutions (module names, space-separated) that ran NCHW inside a channels-last run, because their
    /// channels-last kernels computed something else on the run's CPU (<see cref="Models.ChannelsLastCheck.WrongConvolutions"/>);
    /// null when none did. Set by the trainer, not an input.
    /// </summary>
    public string? NchwConvolutions { get; init; }
    /// <summary>
    /// Epochs of a second stage after the first (0 = none): from the first stage's best weights, with a fresh Adam,
    /// on the training windows at least <see cref="FineTuneMinVotes"/> experts voted on, whose vote distributions are
    /// the least noisy targets (HMS solutions trained last on such rows). The best epoch is chosen over both stages.
    /// </summary>
    public int FineTuneEpochs { get; init; }
    /// <summary>Fewest expert votes a training window needs to be in the second stage.</summary>
    public int FineTuneMinVotes { get; init; } = 10;
    /// <summary>The second stage's learning rate: this for its first epoch, then cosine towards <see cref="FineTuneLearningRateMin"/>.</summary>
    public double FineTuneLearningRate { get; init; } = 2e-4;
    public double FineTuneLearningRateMin { get; init; } = 2e-5;

    /// <summary>Both stages' epochs.</summary>
    public int TotalEpochs => Epochs + FineTuneEpochs;

    /// <summary>The schedule's peak (lr_max) for this batch size.</summary>
    public double PeakLearningRate => LearningRateMaxPerSample * BatchSize;

    public LearningRateSchedule Schedule() =>
        new(LearningRateStart, LearningRateMaxPerSample * BatchSize, LearningRateMin, LearningRateRampEpochs, Epochs);

    /// <summary>The second stage's schedule, indexed from its own first epoch.</summary>
    public LearningRateSchedule FineTuneSchedule() =>
        new(FineTuneLearningRate, FineTuneLearningRate, FineTuneLearningRateMin, 1, FineTuneEpochs);

    /// <summary>The learning rate of a zero-based epoch of the whole run (either stage).</summary>
    public double LearningRateAt(int epoch) => epoch < Epochs ? Schedule().At(epoch) : FineTuneSchedule().At(epoch - Epochs);

    /// <summary>Throws one clear message for a value no run can use.</summary>
    public void Validate()
    {
        static void Require(bool ok, string message)
        {
            if (!ok)
            {
                throw new Hbac.Eeg.EegDataException(message);
            }
        }
        Require(Epochs >= 1, $"--epochs: must be at least 1 (got {Epochs})");
        Require(BatchSize >= 1, $"--batch: must be at least 1 (got {BatchSize})");
        Require(FoldCount >= 2, $"fold count: must be at least 2 (got {FoldCount})");
        Require(Fold >= 0 && Fold < FoldCount, $"--fold: must be in 0..{FoldCount - 1} (got {Fold})");
        Require(Threads >= 1, $"--threads: must be at least 1 (got {Threads})");
        Require(double.IsFinite(OutputTemperature) && OutputTemperature is >= 0.05 and <= 20, $"--temperature: must be in 0.05..20 (got {OutputTemperature})");
        Require(InputDownsample >= 1, $"input downsample: must be at least 1 (got {InputDownsample})");
        Require(InputDownsampleColumns is null or >= 1, $"input downsample over columns: must be at least 1 (got {InputDownsampleColumns})");
        Require(MaxTrainWindows is null or >= 1, $"max train windows: must be at least 1 (got {MaxTrainWindows})");
        Require(MaxValidationWindows is null or >= 1, $"max validation windows: must be at least 1 (got {MaxValidationWindows})");
        Require(BatchNormRecalibrationBatches >= 0, $"BatchNorm recalibration batches: must be >= 0 (got {BatchNormRecalibrationBatches})");
        Require(double.IsFinite(LearningRateMaxPerSample) && LearningRateMaxPerSample > 0, $"--lr: must be a positive number (got {PeakLearningRate})");
        Require(double.IsFinite(WeightDecay) && WeightDecay >= 0, $"--weight-decay: must be a number >= 0 (got {WeightDecay})");
        Require(FineTuneEpochs >= 0, $"--fine-tune-epochs: must be at least 0 (got {FineTuneEpochs})");
        Require(FineTuneMinVotes >= 1, $"--fine-tune-min-votes: must be at least 1 (got {FineTuneMinVotes})");
        Require(double.IsFinite(FineTuneLearningRate) && FineTuneLearningRate > 0, $"fine-tune learning rate: must be a positive number (got {FineTuneLearningRate})");
        Require(double.IsFinite(FineTuneLearningRateMin) && FineTuneLearningRateMin > 0, $"fine-tune minimum learning rate: must be a positive number (got {FineTuneLearningRateMin})");
        Require(BatchNormMomentum is > 0 and <= 1, $"BatchNorm momentum: must be in (0, 1] (got {BatchNormMomentum})");
    }
}
