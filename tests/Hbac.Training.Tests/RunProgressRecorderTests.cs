using Hbac.Learning.Training;
using Hbac.Onnx;
using Hbac.Training.Execution;
using Hbac.Training.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hbac.Training.Tests;

/// <summary>How the trainer's per-batch events become a run's StepCompleted and EpochCompleted updates.</summary>
public sealed class RunProgressRecorderTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task StepsAreSummarisedEveryIntervalAndAtTheEndOfEachEpoch()
    {
        var options = TrainingProfiles.Create("quick", "mobilenetv3") with { Epochs = 2, BatchSize = 4 };
        var run = new TrainingRun("run-1", new RunPlan("mobilenetv3", "quick", options, "/d", ".", "", ModelInputKind.Spectrogram), TimeProvider.System);
        run.TryStart();
        var recorder = new RunProgressRecorder(run, stepInterval: 2, new TrainingMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
            NullLogger.Instance);

        // 10 training windows in batches of 4: 3 steps per epoch, the last one of 2 windows.
        recorder.Report(new TrainingStarted("mobilenetv3", "cpu", 10, 4, 2, 3, 1));
        double[] losses = [1.0, 0.8, 0.6];
        for (var step = 0; step < 3; step++)
        {
            recorder.Report(new TrainingStep(0, false, step, step + 1, 8, losses[step], 5, TimeSpan.FromSeconds(step), TimeSpan.FromSeconds(10 - step)));
        }
        recorder.Report(new TrainingStep(0, true, 0, 4, 8, double.NaN, 5, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(6)));
        recorder.Report(new TrainingEpochCompleted(new EpochMetrics(0, 0.84, 0.7, 0.7, options.Schedule().At(0), 12, 4), IsBest: true));
        run.Finish(RunStatus.Cancelled, null, null);

        var updates = new List<RunUpdate>();
        await foreach (var update in run.Watch(replay: true))
        {
            updates.Add(update);
        }

        var started = Assert.IsType<RunUpdate.Started>(updates[0]);
        Assert.Equal((2, 3L, 10, 4, "cpu"), (started.Epochs, started.StepsPerEpoch, started.TrainSamples, started.ValidationSamples, started.Device));
        var steps = updates.OfType<RunUpdate.Steps>().ToList();
        Assert.Equal([2L, 3L], steps.Select(s => s.Step));
        Assert.All(steps, s => Assert.Equal((1, 3L), (s.Epoch, s.StepsPerEpoch)));
        Assert.Equal(0.9, steps[0].TrainLoss, 12);
        Assert.Equal(0.6, steps[1].TrainLoss, 12);
        Assert.Equal(options.Schedule().At(0), steps[0].LearningRate);
        Assert.Equal(TimeSpan.FromSeconds(9), steps[0].Eta);
        Assert.All(steps, s => Assert.True(s.SamplesPerSecond > 0));

        var epoch = Assert.Single(updates.OfType<RunUpdate.EpochEnded>());
        Assert.Equal((1, 2, 0.84, 0.7, 12.0), (epoch.Epoch, epoch.Epochs, epoch.TrainLoss, epoch.ValidationLoss, epoch.SamplesPerSecond));
        // The ETA after validation, the latest the trainer reported.
        Assert.Equal(TimeSpan.FromSeconds(6), epoch.Eta);
        Assert.Equal(1, run.Snapshot().Epoch);
        Assert.Equal(0.7, run.Snapshot().BestValidationLoss);
    }

    [Fact]
    public async Task SecondStageStepsCountItsOwnWindowsAndEpochsCountBothStages()
    {
        var options = TrainingProfiles.Create("quick", "mobilenetv3", ModelInputKind.Eeg) with { Epochs = 1, BatchSize = 4, FineTuneEpochs = 1 };
        var run = new TrainingRun("run-2", new RunPlan("mobilenetv3", "quick", options, "/d", ".", "", ModelInputKind.Eeg), TimeProvider.System);
        run.TryStart();
        var recorder = new RunProgressRecorder(run, stepInterval: 10, new TrainingMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
            NullLogger.Instance);

        // 10 windows in 3 steps, then 5 of them (at least 10 votes) in 2 steps.
        recorder.Report(new TrainingStarted("mobilenetv3", "cpu", 10, 4, 1, 3, 1, FineTuneEpochs: 1, FineTuneWindows: 5, FineTuneStepsPerEpoch: 2));
        for (var step = 0; step < 3; step++)
        {
            recorder.Report(new TrainingStep(0, false, step, step + 1, 7, 1.0, 5, TimeSpan.Zero, TimeSpan.Zero));
        }
        recorder.Report(new TrainingEpochCompleted(new EpochMetrics(0, 1, 1, 1, options.LearningRateAt(0), 10, 1), IsBest: true));
        for (var step = 0; step < 2; step++)
        {
            recorder.Report(new TrainingStep(1, false, step, step + 5, 7, 0.5, 5, TimeSpan.Zero, TimeSpan.Zero));
        }
        recorder.Report(new TrainingEpochCompleted(new EpochMetrics(1, 0.5, 0.9, 0.9, options.LearningRateAt(1), 10, 1, FineTune: true), IsBest: true));
        run.Finish(RunStatus.Cancelled, null, null);

        var updates = new List<RunUpdate>();
        await foreach (var update in run.Watch(replay: true))
        {
            updates.Add(update);
        }
        Assert.Equal(2, Assert.IsType<RunUpdate.Started>(updates[0]).Epochs);
        // One summary at each epoch's end (the interval of 10 is never reached), each with its stage's step count and rate.
        var steps = updates.OfType<RunUpdate.Steps>().ToList();
        Assert.Equal([(1, 3L, 3L), (2, 2L, 2L)], steps.Select(s => (s.Epoch, s.Step, s.StepsPerEpoch)));
        Assert.Equal(options.FineTuneLearningRate, steps[1].LearningRate, 15);
        Assert.Equal([2, 2], updates.OfType<RunUpdate.EpochEnded>().Select(e => e.Epochs));
    }
}
