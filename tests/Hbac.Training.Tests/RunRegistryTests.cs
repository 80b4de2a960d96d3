using Hbac.Learning.Training;
using Hbac.Onnx;
using Hbac.Training.Extensions;
using Hbac.Training.Runs;
using Hbac.Training.Tests.Support;
using HbacAspire.ServiceDefaults.Requests;
using Microsoft.Extensions.Options;

namespace Hbac.Training.Tests;

/// <summary>The registry's limits: queued runs, remembered runs, without a worker taking them.</summary>
public sealed class RunRegistryTests
{
    private static RunRegistry Registry(int maxQueued, int history)
    {
        var options = Options.Create(new TrainingServiceOptions
        {
            DataRoot = SyntheticData.Root, ModelRepository = "unused", MaxQueuedRuns = maxQueued, MaxRunHistory = history, Threads = 1,
        });
        return new RunRegistry(new RunPlanner(new DataRoot(SyntheticData.Root), options), options, TimeProvider.System);
    }

    private static RunRequest Request(string description = "") => new("mobilenetv3", "", new TrainingOverrides(), "", description, ModelInputKind.Spectrogram);

    [Fact]
    public void OnlyQueuedRunsCountAgainstTheQueueLimit()
    {
        var registry = Registry(maxQueued: 2, history: 10);
        var first = registry.Start(Request());
        registry.Start(Request());

        var full = Assert.Throws<RequestRejectedException>(() => registry.Start(Request()));
        Assert.Equal(Rejection.LimitExceeded, full.Kind);

        first.TryStart();
        registry.Start(Request());
        Assert.Equal(3, registry.List(10).Count);
    }

    [Fact]
    public void TheOldestFinishedRunsAreForgottenFirstAndUnfinishedOnesNever()
    {
        var registry = Registry(maxQueued: 10, history: 2);
        var unfinished = registry.Start(Request("a"));
        var finished = registry.Start(Request("b"));
        finished.Cancel();

        var newest = registry.Start(Request("c"));

        Assert.Equal([newest.Id, unfinished.Id], registry.List(10).Select(r => r.Id));
        Assert.Equal(Rejection.NotFound, Assert.Throws<RequestRejectedException>(() => registry.Get(finished.Id)).Kind);
        Assert.Same(unfinished, registry.Get(unfinished.Id));
    }

    [Fact]
    public async Task ThePlanCarriesTheProfileMergedWithTheOverridesAndTheServicesThreads()
    {
        var registry = Registry(maxQueued: 10, history: 10);

        var run = registry.Start(new RunRequest("mobilenetv3", " Seed ", new TrainingOverrides { Epochs = 2, PeakLearningRate = 1e-3 }, "", "d", ModelInputKind.Spectrogram));

        var seed = TrainingProfiles.Create("seed", "mobilenetv3");
        Assert.Equal(seed with { Epochs = 2, LearningRateMaxPerSample = 1e-3 / seed.BatchSize, Threads = 1 }, run.Plan.Options);
        Assert.Equal("seed", run.Plan.Profile);
        Assert.Equal(Path.GetFullPath(SyntheticData.Root), run.Plan.DataFolder);
        Assert.Same(run, await registry.DequeueAsync(CancellationToken.None));
    }

    [Fact]
    public void AnEegRequestIsPlannedWithTheEegProfileOverTheFolder()
    {
        var registry = Registry(maxQueued: 10, history: 10);

        var run = registry.Start(new RunRequest("mobilenetv3", "quick", new TrainingOverrides(), "", "", ModelInputKind.Eeg));

        Assert.Equal(ModelInputKind.Eeg, run.Plan.Kind);
        Assert.Equal(TrainingProfiles.Create("quick", "mobilenetv3", ModelInputKind.Eeg) with { Threads = 1 }, run.Plan.Options);
        Assert.Equal(KaggleTrainingData.EegFolder, RunPlanner.InputFolder(run.Plan.Kind));
    }
}
