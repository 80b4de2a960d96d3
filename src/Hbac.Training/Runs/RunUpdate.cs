namespace Hbac.Training.Runs;

/// <summary>
/// One recorded event of a run. <see cref="Sequence"/> (1, 2, 3, ...) and <see cref="Time"/> are set
/// when the run records it; a watcher that replays gets exactly the records a live watcher got.
/// </summary>
public abstract record RunUpdate
{
    public long Sequence { get; init; }

    public DateTimeOffset Time { get; init; }

    /// <summary>The run has its data split and model and takes its first step.</summary>
    public sealed record Started(int Epochs, long StepsPerEpoch, int TrainSamples, int ValidationSamples, string Device,
        int FineTuneEpochs = 0, int FineTuneSamples = 0, long FineTuneStepsPerEpoch = 0) : RunUpdate;

    /// <summary>
    /// A few optimiser steps done: 1-based <paramref name="Epoch"/> and <paramref name="Step"/> of the last one,
    /// mean loss and throughput over the steps since the previous <see cref="Steps"/> update.
    /// </summary>
    public sealed record Steps(
        int Epoch, long Step, long StepsPerEpoch, double TrainLoss, double LearningRate, double SamplesPerSecond, TimeSpan Eta) : RunUpdate;

    /// <summary>Epoch <paramref name="Epoch"/> (1-based) of <paramref name="Epochs"/> finished, validation included.</summary>
    public sealed record EpochEnded(
        int Epoch, int Epochs, double TrainLoss, double ValidationLoss, double LearningRate, double SamplesPerSecond,
        TimeSpan Elapsed, TimeSpan Eta) : RunUpdate;

    /// <summary>The last update of every run.</summary>
    public sealed record Finished(RunStatus Status, string? ModelVersion, double BestValidationLoss, string? Error, TimeSpan Elapsed) : RunUpdate;
}
