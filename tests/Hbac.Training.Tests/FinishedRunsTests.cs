using System.Diagnostics.Metrics;
using System.Text.Json;
using Hbac.Contracts;
using Grpc.Core;
using Hbac.Caching;
using Hbac.Contracts.V1;
using Hbac.Learning.Onnx;
using Hbac.Learning.Training;
using Hbac.Onnx;
using Hbac.Training.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Hbac.Training.Tests;

/// <summary>
/// Real runs queued back to back on one service behind a long one that is cancelled once every watcher is
/// registered: one over corrupt spectrograms (ends FAILED), then a tiny good one (ends SUCCEEDED), watched
/// live by two readers and one that reads nothing until the end.
/// </summary>
public sealed class FinishedRunsFixture : IAsyncLifetime
{
    internal TrainingHost Host { get; } = new(SyntheticData.Root);

    public RunInfo Blocker { get; private set; } = null!;

    public List<RunEvent> BlockerEvents { get; private set; } = null!;

    public RunInfo Failed { get; private set; } = null!;

    public RunInfo Succeeded { get; private set; } = null!;

    public RunInfo SucceededAsStarted { get; private set; } = null!;

    public List<RunEvent> FailedEvents { get; private set; } = null!;

    public List<RunEvent> Live { get; private set; } = null!;

    public List<RunEvent> SecondLive { get; private set; } = null!;

    public List<RunEvent> Slow { get; private set; } = null!;

    public List<RunEvent> Replayed { get; private set; } = null!;

    /// <summary>Sum of each training instrument's measurements recorded by this host (count of them for histograms).</summary>
    public Dictionary<string, (double Sum, int Count)> Measurements { get; } = [];

    public async Task InitializeAsync()
    {
        var client = Host.Client;
        var meters = Host.Services.GetRequiredService<IMeterFactory>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Name.StartsWith("hbac.training.", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Record(instrument.Name, value));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => Record(instrument.Name, value));
        listener.Start();

        // A long run holds the worker until every watcher is registered, so the live ones miss nothing.
        var blocker = await client.StartRunAsync(TestRuns.Tiny(epochs: 500, description: "blocker"));
        await TestRuns.WaitForStateAsync(client, blocker.RunId, RunState.Running);
        var failed = await client.StartRunAsync(TestRuns.Tiny(dataFolder: SyntheticData.Corrupt, description: "corrupt"));
        SucceededAsStarted = await client.StartRunAsync(TestRuns.Tiny(description: "tiny"));
        var id = SucceededAsStarted.RunId;
        using var live = await WatchAsync(client, id);
        using var secondLive = await WatchAsync(client, id);
        using var slow = await WatchAsync(client, id);
        Blocker = await client.CancelRunAsync(new CancelRunRequest { RunId = blocker.RunId });

        Live = await ReadToEndAsync(live);
        SecondLive = await ReadToEndAsync(secondLive);
        // Read only now, after the run ended: it lagged the whole time.
        Slow = await ReadToEndAsync(slow);
        Replayed = await TestRuns.WatchToEndAsync(client, id, replay: true);
        FailedEvents = await TestRuns.WatchToEndAsync(client, failed.RunId, replay: true);
        BlockerEvents = await TestRuns.WatchToEndAsync(client, blocker.RunId, replay: true);
        Failed = await client.GetRunAsync(new GetRunRequest { RunId = failed.RunId });
        Succeeded = await client.GetRunAsync(new GetRunRequest { RunId = id });
    }

    /// <summary>A live watch (no replay), returned once the service has registered it.</summary>
    private static async Task<AsyncServerStreamingCall<RunEvent>> WatchAsync(Contracts.V1.Training.TrainingClient client, string runId)
    {
        var call = client.WatchRun(new WatchRunRequest { RunId = runId }, deadline: DateTime.UtcNow.AddMinutes(3));
        await call.ResponseHeadersAsync;
        return call;
    }

    private static async Task<List<RunEvent>> ReadToEndAsync(AsyncServerStreamingCall<RunEvent> call)
    {
        var events = new List<RunEvent>();
        await foreach (var runEvent in call.ResponseStream.ReadAllAsync())
        {
            events.Add(runEvent);
        }
        return events;
    }

    private void Record(string instrument, double value)
    {
        lock (Measurements)
        {
            var (sum, count) = Measurements.GetValueOrDefault(instrument);
            Measurements[instrument] = (sum + value, count + 1);
        }
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

[Collection("Training service")]
public sealed class FinishedRunsTests(FinishedRunsFixture runs) : IClassFixture<FinishedRunsFixture>
{
    [Fact]
    public void ARunOverCorruptDataFailsWithOneLineNamingTheFileAndTheNextRunStillRuns()
    {
        Assert.Equal(RunState.Failed, runs.Failed.State);
        Assert.Contains(".parquet", runs.Failed.Error);
        Assert.DoesNotContain('\n', runs.Failed.Error);
        Assert.Empty(runs.Failed.ModelVersion);
        Assert.NotNull(runs.Failed.FinishedAt);
        var finished = Assert.Single(runs.FailedEvents, e => e.EventCase == RunEvent.EventOneofCase.Finished).Finished;
        Assert.Equal(RunState.Failed, finished.State);
        Assert.Equal(runs.Failed.Error, finished.Error);
        Assert.Equal(RunEvent.EventOneofCase.Finished, runs.FailedEvents[^1].EventCase);

        Assert.Equal(RunState.Succeeded, runs.Succeeded.State);
    }

    [Fact]
    public void RunInfoCarriesTheEffectiveHyperParametersAndTheOutcome()
    {
        var started = runs.SucceededAsStarted;
        Assert.Equal(RunState.Queued, started.State);
        Assert.Equal(0, started.Epoch);
        Assert.True(double.IsNaN(started.BestValidationLoss));

        var run = runs.Succeeded;
        Assert.Equal(ModelArchitecture.MobilenetV3Large, run.Model);
        Assert.Equal("quick", run.Profile);
        // Requested UNSPECIFIED: the seed's spectrogram input.
        Assert.Equal(Contracts.V1.ModelInputKind.Spectrogram, started.InputKind);
        Assert.Equal(Contracts.V1.ModelInputKind.Spectrogram, run.InputKind);
        Assert.Equal("tiny", run.Description);
        Assert.Equal(".", run.DataFolder);
        var quick = TrainingProfiles.Create("quick", "mobilenetv3");
        Assert.Equal(1, run.HyperParameters.Epochs);
        Assert.Equal(8, run.HyperParameters.BatchSize);
        // Not overridden: the profile's values (peak LR is per sample x batch, so it follows the batch).
        Assert.Equal(quick.LearningRateMaxPerSample * 8, run.HyperParameters.LearningRate, 12);
        Assert.Equal(0, run.HyperParameters.WeightDecay);
        Assert.Equal(quick.Seed, run.HyperParameters.Seed);
        Assert.Equal(0, run.HyperParameters.ValidationFold);
        Assert.Equal(16, run.HyperParameters.MaxTrainWindows);
        Assert.Equal(8, run.HyperParameters.MaxValidationWindows);
        Assert.Equal(1, run.Epoch);
        Assert.Equal(1, run.Epochs);
        Assert.True(double.IsFinite(run.BestValidationLoss) && run.BestValidationLoss > 0, $"best validation loss {run.BestValidationLoss}");
        Assert.NotEmpty(run.ModelVersion);
        Assert.Empty(run.Error);
        Assert.True(run.CreatedAt.ToDateTime() <= run.StartedAt.ToDateTime());
        Assert.True(run.StartedAt.ToDateTime() <= run.FinishedAt.ToDateTime());
    }

    [Fact]
    public void ASucceededRunPublishesExactlyOneLoadableVersionAtomicallyAndAnnouncesIt()
    {
        var version = runs.Succeeded.ModelVersion;
        // Only the version: the failed run's and this run's work folders are gone.
        Assert.Equal([version], runs.Host.RepositoryFolders());
        Assert.Matches(@"^\d{8}-\d{6}-mobilenetv3$", version);
        var folder = Path.Combine(runs.Host.Repository, version);
        // model.int8.onnx is there exactly when its drift gate passed (card.json's int8 section).
        string[] files = Hbac.Learning.Training.ModelCard.Load(Path.Combine(folder, "card.json")).Int8 is { Published: true }
            ? ["calibration.png", "card.json", "confusion.png", "curves.png", "model.int8.onnx", "model.onnx"]
            : ["calibration.png", "card.json", "confusion.png", "curves.png", "model.onnx"];
        Assert.Equal(files, Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        using var model = OnnxClassifier.Open(Path.Combine(folder, "model.onnx"), threads: 1);
        var probabilities = model.Predict(new float[OnnxClassifier.Channels * OnnxClassifier.Height * OnnxClassifier.Width], 1)[0];
        Assert.Equal(6, probabilities.Length);
        Assert.Equal(1.0, probabilities.Sum(), 4);

        using var card = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "card.json")));
        Assert.Equal(runs.Succeeded.RunId, card.RootElement.GetProperty("training_run_id").GetString());
        Assert.Equal("mobilenetv3", card.RootElement.GetProperty("model").GetString());
        Assert.Equal("spectrogram", card.RootElement.GetProperty("input").GetString());
        Assert.Equal(runs.Succeeded.BestValidationLoss, card.RootElement.GetProperty("best_validation_loss").GetDouble(), 9);

        Assert.Equal([version], runs.Host.Announcements.Published);
    }

    [Fact]
    public void WatchersGetEveryEventInOrderFromStartedToFinished()
    {
        var events = runs.Live;
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.All(events, e => Assert.Equal(runs.Succeeded.RunId, e.RunId));

        var started = events[0].Started;
        Assert.NotNull(started);
        Assert.Equal(1, started.Epochs);
        Assert.Equal(2, started.StepsPerEpoch);
        Assert.Equal(16, started.TrainSamples);
        Assert.Equal(8, started.ValidationSamples);
        Assert.Equal("cpu", started.Device);

        // StepEventInterval 1: one StepCompleted per optimiser step.
        var steps = events.Where(e => e.EventCase == RunEvent.EventOneofCase.Step).Select(e => e.Step).ToList();
        Assert.Equal([1L, 2L], steps.Select(s => s.Step));
        Assert.All(steps, s =>
        {
            Assert.Equal(1, s.Epoch);
            Assert.Equal(2, s.StepsPerEpoch);
            Assert.True(s.TrainLoss > 0 && double.IsFinite(s.TrainLoss));
            Assert.True(s.LearningRate > 0);
            Assert.True(s.SamplesPerSecond > 0);
        });

        var epoch = Assert.Single(events, e => e.EventCase == RunEvent.EventOneofCase.Epoch).Epoch;
        Assert.Equal(1, epoch.Epoch);
        Assert.Equal(1, epoch.Epochs);
        Assert.Equal(runs.Succeeded.BestValidationLoss, epoch.ValidationLoss);
        // The epoch's training loss is the mean over its samples; both steps had 8.
        Assert.Equal(steps.Average(s => s.TrainLoss), epoch.TrainLoss, 5);

        var finished = events[^1].Finished;
        Assert.NotNull(finished);
        Assert.Equal(RunState.Succeeded, finished.State);
        Assert.Equal(runs.Succeeded.ModelVersion, finished.ModelVersion);
        Assert.Equal(runs.Succeeded.BestValidationLoss, finished.BestValidationLoss);
        Assert.True(finished.Elapsed.ToTimeSpan() > TimeSpan.Zero);
    }

    [Fact]
    public void ReplayAndEveryLiveWatcherIncludingASlowOneSeeIdenticalSequences()
    {
        Assert.Equal(runs.Live, runs.Replayed);
        Assert.Equal(runs.Live, runs.SecondLive);
        Assert.Equal(runs.Live, runs.Slow);
    }

    [Fact]
    public async Task WatchingAFinishedRunWithoutReplayGivesOnlyItsFinalEvent()
    {
        var events = await TestRuns.WatchToEndAsync(runs.Host.Client, runs.Succeeded.RunId, replay: false);

        Assert.Equal([runs.Live[^1]], events);
    }

    [Fact]
    public async Task ListRunsIsNewestFirstAndHonoursTheLimit()
    {
        var all = await runs.Host.Client.ListRunsAsync(new ListRunsRequest());
        var one = await runs.Host.Client.ListRunsAsync(new ListRunsRequest { Limit = 1 });

        Assert.Equal([runs.Succeeded.RunId, runs.Failed.RunId, runs.Blocker.RunId], all.Runs.Select(r => r.RunId));
        Assert.Equal(runs.Succeeded, all.Runs[0]);
        Assert.Equal([runs.Succeeded.RunId], one.Runs.Select(r => r.RunId));
    }

    [Fact]
    public async Task CancellingAFinishedRunIsANoOpReturningItsFinalState()
    {
        var cancelled = await runs.Host.Client.CancelRunAsync(new CancelRunRequest { RunId = runs.Succeeded.RunId });

        Assert.Equal(runs.Succeeded, cancelled);
        Assert.Equal([runs.Succeeded.ModelVersion], runs.Host.RepositoryFolders());
    }

    [Fact]
    public void TrainingProgressIsRecordedOnTheHbacMeter()
    {
        // Every run that trained (the cancelled blocker and the good one; the corrupt one failed loading its
        // first batch) recorded one step per StepCompleted (StepEventInterval 1) and one epoch per EpochCompleted.
        var events = runs.BlockerEvents.Concat(runs.Live).ToList();
        var steps = events.Where(e => e.EventCase == RunEvent.EventOneofCase.Step).Select(e => e.Step).ToList();
        var epochs = events.Where(e => e.EventCase == RunEvent.EventOneofCase.Epoch).Select(e => e.Epoch).ToList();
        Assert.Equal(RunState.Cancelled, runs.BlockerEvents[^1].Finished.State);

        Assert.Equal(steps.Count, runs.Measurements[HbacInstruments.TrainingSteps].Sum);
        Assert.Equal(steps.Count, runs.Measurements[HbacInstruments.TrainingLoss].Count);
        Assert.Equal(steps.Sum(s => s.TrainLoss), runs.Measurements[HbacInstruments.TrainingLoss].Sum, 9);
        Assert.Equal(steps.Count, runs.Measurements[HbacInstruments.TrainingThroughput].Count);
        Assert.Equal(epochs.Count, runs.Measurements[HbacInstruments.TrainingEpochs].Sum);
        Assert.Equal(epochs.Sum(e => e.ValidationLoss), runs.Measurements[HbacInstruments.TrainingValidationLoss].Sum, 9);
    }

    [Fact]
    public void TheRunReadItsSpectrogramsThroughTheSharedCache()
    {
        var used = Directory.EnumerateFiles(SyntheticData.SpectrogramFolder, "*.parquet")
            .Select(f => SpectrogramCacheKeys.Spectrogram(TensorCacheKey.HashContent(File.ReadAllBytes(f))).Value)
            .ToHashSet();
        var keys = runs.Host.Cache.Keys;

        Assert.NotEmpty(keys);
        Assert.All(keys, key => Assert.Contains(key, used));
    }
}
