using System.Diagnostics;
using Hbac.Learning.Training;
using Hbac.Onnx;
using Hbac.Training.Runs;

namespace Hbac.Training.Execution;

/// <summary>
/// Turns the trainer's events into a run's updates, on the trainer's thread (cheap: an append to the
/// run's log): every <c>stepInterval</c> optimiser steps one <see cref="RunUpdate.Steps"/> with the mean
/// loss and throughput since the previous one, and one <see cref="RunUpdate.EpochEnded"/> per epoch; also
/// records the metrics and logs each epoch.
/// </summary>
public sealed partial class RunProgressRecorder(TrainingRun run, int stepInterval, TrainingMetrics metrics, ILogger logger)
    : IProgress<TrainingEvent>
{
    private long _windowStart = Stopwatch.GetTimestamp();
    private int _steps;
    private int _samples;
    private double _lossSum;
    private TrainingStarted? _started;
    private TimeSpan _eta;

    public void Report(TrainingEvent value)
    {
        switch (value)
        {
            case TrainingStarted started:
                _started = started;
                _windowStart = Stopwatch.GetTimestamp();
                run.Record(new RunUpdate.Started(started.TotalEpochs, started.StepsPerEpoch, started.TrainWindows, started.ValidationWindows, started.Device,
                    started.FineTuneEpochs, started.FineTuneWindows, started.FineTuneStepsPerEpoch));
                LogStarted(run.Id, run.Plan.Kind.Name(), started.Model, started.Device, started.TrainWindows, started.ValidationWindows, started.Epochs,
                    started.FineTuneEpochs, started.FineTuneWindows);
                if (started.LayoutFallback is not null)
                {
                    LogLayoutFallback(run.Id, started.LayoutFallback);
                }
                break;
            case TrainingStep { Validation: true } validation:
                _eta = validation.Eta;
                break;
            case TrainingStep step:
                _eta = step.Eta;
                _steps++;
                _samples += SamplesInStep(step.Epoch, step.Step);
                _lossSum += step.Loss;
                if (_steps >= stepInterval || step.Step + 1 == EpochSize(step.Epoch).Steps)
                {
                    Flush(step);
                }
                break;
            case TrainingEpochCompleted epoch:
                var m = epoch.Metrics;
                var epochs = _started?.TotalEpochs ?? run.Plan.Options.TotalEpochs;
                run.Record(new RunUpdate.EpochEnded(m.Epoch + 1, epochs, m.TrainLoss, m.ValidationLoss, m.LearningRate,
                    m.ImagesPerSecond, run.Elapsed, _eta));
                metrics.RecordEpoch(m.ValidationLoss);
                LogEpoch(run.Id, m.Epoch + 1, epochs, m.TrainLoss, m.ValidationLoss, m.ValidationKaggleKl, m.ImagesPerSecond,
                    epoch.IsBest ? " (best)" : "");
                break;
            case TrainingCompleted { Result.Card: { ChannelsLastDiffered: true } card }:
                LogChannelsLastDiffered(run.Id, card.ChannelsLastGap!.Value);
                break;
        }
    }

    private void Flush(TrainingStep step)
    {
        var seconds = Stopwatch.GetElapsedTime(_windowStart).TotalSeconds;
        var meanLoss = _lossSum / _steps;
        var throughput = seconds > 0 ? _samples / seconds : 0;
        run.Record(new RunUpdate.Steps(step.Epoch + 1, step.Step + 1, EpochSize(step.Epoch).Steps, meanLoss, run.Plan.Options.LearningRateAt(step.Epoch), throughput, step.Eta));
        metrics.RecordSteps(_steps, meanLoss, throughput);
        _steps = 0;
        _samples = 0;
        _lossSum = 0;
        _windowStart = Stopwatch.GetTimestamp();
    }

    // The second stage trains on fewer windows than the first.
    private (int Windows, int Steps) EpochSize(int epoch) => _started?.EpochSize(epoch) ?? (0, 0);

    // The last batch of an epoch may be short.
    private int SamplesInStep(int epoch, int step)
    {
        var batch = run.Plan.Options.BatchSize;
        return Math.Max(0, Math.Min(batch, EpochSize(epoch).Windows - step * batch));
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Run {RunId}: {InputKind} model {Model} on {Device}, {TrainWindows} training / {ValidationWindows} validation windows, {Epochs} epochs, then {FineTuneEpochs} on the {FineTuneWindows} windows with the most votes")]
    private partial void LogStarted(string runId, string inputKind, string model, string device, int trainWindows, int validationWindows, int epochs,
        int fineTuneEpochs, int fineTuneWindows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: {Fallback}")]
    private partial void LogLayoutFallback(string runId, string fallback);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Run {RunId}: the best epoch's validation probabilities channels-last differ from NCHW's by up to {Gap}: libtorch's channels-last kernels are wrong on this CPU at the trained weights; the card's best-epoch numbers are NCHW's, what the exported model computes")]
    private partial void LogChannelsLastDiffered(string runId, double gap);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Run {RunId}: epoch {Epoch}/{Epochs} train loss {TrainLoss:F4} validation loss {ValidationLoss:F4} (Kaggle KL {KaggleKl:F4}), {SamplesPerSecond:F1} samples/s{Best}")]
    private partial void LogEpoch(string runId, int epoch, int epochs, double trainLoss, double validationLoss, double kaggleKl, double samplesPerSecond, string best);
}
