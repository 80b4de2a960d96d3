using Hbac.Learning.Training;
using Hbac.Onnx;
using Hbac.Training.Runs;

namespace Hbac.Training.Tests;

/// <summary>A run's state machine and its update log, without a service.</summary>
public sealed class TrainingRunTests
{
    private static TrainingRun NewRun() => new("run-1",
        new RunPlan("mobilenetv3", "quick", TrainingProfiles.Create("quick", "mobilenetv3"), "/data", ".", "", ModelInputKind.Spectrogram), TimeProvider.System);

    private static RunUpdate.EpochEnded Epoch(int epoch, double validationLoss) =>
        new(epoch, 3, 1.0, validationLoss, 1e-3, 10, TimeSpan.FromSeconds(epoch), TimeSpan.Zero);

    private static async Task<List<RunUpdate>> ReadAllAsync(IAsyncEnumerable<RunUpdate> updates)
    {
        var list = new List<RunUpdate>();
        await foreach (var update in updates)
        {
            list.Add(update);
        }
        return list;
    }

    [Fact]
    public void TheEpochCountIsThePlansUntilTheTrainerSaysHowManyItRuns()
    {
        // The EEG quick profile plans 16 + 12 epochs; without a window rated by 10 experts the second stage does not run.
        var run = new TrainingRun("run-2", new RunPlan("mobilenetv3", "quick", TrainingProfiles.Create("quick", "mobilenetv3", ModelInputKind.Eeg),
            "/data", ".", "", ModelInputKind.Eeg), TimeProvider.System);
        Assert.Equal(28, run.Snapshot().Epochs);
        Assert.True(run.TryStart());
        run.Record(new RunUpdate.Started(16, 24, 377, 98, "cpu"));
        Assert.Equal(16, run.Snapshot().Epochs);
    }

    [Fact]
    public async Task UpdatesAreNumberedOneByOneAndTheSnapshotFollowsThem()
    {
        var run = NewRun();
        Assert.True(run.TryStart());
        run.Record(new RunUpdate.Started(3, 10, 100, 20, "cpu"));
        run.Record(Epoch(1, 0.9));
        run.Record(Epoch(2, 1.1));
        Assert.True(run.Finish(RunStatus.Succeeded, "v1", null));

        var updates = await ReadAllAsync(run.Watch(replay: true));
        var snapshot = run.Snapshot();

        Assert.Equal([1L, 2L, 3L, 4L], updates.Select(u => u.Sequence));
        Assert.Equal(RunStatus.Succeeded, snapshot.Status);
        Assert.Equal(2, snapshot.Epoch);
        Assert.Equal(0.9, snapshot.BestValidationLoss);
        Assert.Equal("v1", snapshot.ModelVersion);
        var finished = Assert.IsType<RunUpdate.Finished>(updates[^1]);
        Assert.Equal(0.9, finished.BestValidationLoss);
    }

    [Fact]
    public async Task ALiveWatcherStartsAtTheNextUpdateAndEndsWithTheFinalOne()
    {
        var run = NewRun();
        run.TryStart();
        run.Record(new RunUpdate.Started(3, 10, 100, 20, "cpu"));

        var live = ReadAllAsync(run.Watch(replay: false));
        run.Record(Epoch(1, 0.5));
        run.Finish(RunStatus.Failed, null, "boom");

        Assert.Equal([2L, 3L], (await live).Select(u => u.Sequence));
        Assert.Equal("boom", Assert.IsType<RunUpdate.Finished>((await ReadAllAsync(run.Watch(replay: false))).Single()).Error);
    }

    [Fact]
    public async Task AWatcherThatDoesNotReadNeverHoldsUpTheRun()
    {
        var run = NewRun();
        run.TryStart();
        await using var stalled = run.Watch(replay: true).GetAsyncEnumerator();

        for (var i = 1; i <= 10_000; i++)
        {
            run.Record(Epoch(i, 1.0 / i));
        }
        run.Finish(RunStatus.Succeeded, "v", null);

        var count = 0;
        while (await stalled.MoveNextAsync())
        {
            count++;
        }
        Assert.Equal(10_001, count);
    }

    [Fact]
    public async Task CancellingAQueuedRunEndsItAtOnceAndItNeverStarts()
    {
        var run = NewRun();

        run.Cancel();

        Assert.True(run.Finished.IsCompleted);
        Assert.True(run.CancellationToken.IsCancellationRequested);
        Assert.False(run.TryStart());
        Assert.Equal(RunStatus.Cancelled, run.Snapshot().Status);
        Assert.Null(run.Snapshot().StartedAt);
        Assert.Single(await ReadAllAsync(run.Watch(replay: true)));
    }

    [Fact]
    public void CancellingARunningRunOnlyAsksItToStop()
    {
        var run = NewRun();
        run.TryStart();

        run.Cancel();

        Assert.True(run.CancellationToken.IsCancellationRequested);
        Assert.Equal(RunStatus.Running, run.Status);
        Assert.False(run.Finished.IsCompleted);
        Assert.True(run.Finish(RunStatus.Cancelled, null, null));
        Assert.True(run.Finished.IsCompleted);
    }

    [Fact]
    public async Task AFinishedRunIgnoresLaterUpdatesCancelsAndFinishes()
    {
        var run = NewRun();
        run.TryStart();
        run.Finish(RunStatus.Succeeded, "v1", null);

        run.Record(Epoch(1, 0.1));
        run.Cancel();

        Assert.False(run.Finish(RunStatus.Failed, null, "late"));
        Assert.False(run.CancellationToken.IsCancellationRequested);
        Assert.Equal(RunStatus.Succeeded, run.Snapshot().Status);
        Assert.True(double.IsNaN(run.Snapshot().BestValidationLoss));
        Assert.Single(await ReadAllAsync(run.Watch(replay: true)));
    }
}
