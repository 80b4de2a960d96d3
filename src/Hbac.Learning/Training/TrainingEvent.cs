namespace Hbac.Learning.Training;

/// <summary>
/// Progress of a run, reported through <see cref="IProgress{T}"/>: the CLI draws a bar from these and
/// the training service streams them.
/// </summary>
public abstract record TrainingEvent;

/// <summary>
/// The run has its data split and model, and is about to take the first step. <see cref="FineTuneEpochs"/> more
/// epochs follow <see cref="Epochs"/>, on <see cref="FineTuneWindows"/> windows (0 epochs when no window has enough votes).
/// <see cref="LayoutFallback"/> says why the convolutions run NCHW although channels-last was asked for (null otherwise).
/// </summary>
public sealed record TrainingStarted(
    string Model,
    string Device,
    int TrainWindows,
    int ValidationWindows,
    int Epochs,
    int StepsPerEpoch,
    int ValidationStepsPerEpoch,
    int FineTuneEpochs = 0,
    int FineTuneWindows = 0,
    int FineTuneStepsPerEpoch = 0,
    string? LayoutFallback = null) : TrainingEvent
{
    public int TotalEpochs => Epochs + FineTuneEpochs;

    /// <summary>Training plus validation batches over the whole run (the progress bar's length).</summary>
    public int TotalSteps => Epochs * (StepsPerEpoch + ValidationStepsPerEpoch) + FineTuneEpochs * (FineTuneStepsPerEpoch + ValidationStepsPerEpoch);

    /// <summary>Training windows and batches per epoch of a zero-based epoch of the whole run.</summary>
    public (int Windows, int Steps) EpochSize(int epoch) =>
        epoch < Epochs ? (TrainWindows, StepsPerEpoch) : (FineTuneWindows, FineTuneStepsPerEpoch);
}

/// <summary>One batch done (training or validation). <see cref="Eta"/> extrapolates the run so far.</summary>
public sealed record TrainingStep(
    int Epoch,
    bool Validation,
    int Step,
    int CompletedSteps,
    int TotalSteps,
    double Loss,
    double ImagesPerSecond,
    TimeSpan Elapsed,
    TimeSpan Eta) : TrainingEvent;

/// <summary>An epoch finished; <see cref="IsBest"/> when its validation loss is the lowest so far (checkpoint saved).</summary>
public sealed record TrainingEpochCompleted(EpochMetrics Metrics, bool IsBest) : TrainingEvent;

/// <summary>The run folder is complete.</summary>
public sealed record TrainingCompleted(TrainingResult Result) : TrainingEvent;

/// <summary>Per-epoch numbers (zero-based epoch over both stages; <see cref="FineTune"/> for the second stage's).</summary>
public sealed record EpochMetrics(
    int Epoch,
    double TrainLoss,
    double ValidationLoss,
    double ValidationKaggleKl,
    double LearningRate,
    double ImagesPerSecond,
    double Seconds,
    bool FineTune = false);
