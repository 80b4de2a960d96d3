using Hbac.Contracts.V1;
using Hbac.Training.Tests.Support;

namespace Hbac.Training.Tests;

/// <summary>Runs share the cores: two one-thread (quick) runs train at once on 2 cores, and a run's result does not depend on its neighbour.</summary>
[Collection("Training service")]
public sealed class SideBySideRunsTests : IAsyncLifetime
{
    private readonly TrainingHost _host = new(SyntheticData.Root, new Dictionary<string, string> { ["Hbac:Cores"] = "2", ["Hbac:Threads"] = "0" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task TwoQuickRunsTrainAtOnceAndARunBesideAnotherTrainsTheSameModelAsAlone()
    {
        var client = _host.Client;
        // Threads 0: each run uses its profile's, 1 for quick.
        var alone = await client.StartRunAsync(TestRuns.Tiny(epochs: 2));
        var aloneFinished = (await TestRuns.WatchToEndAsync(client, alone.RunId))[^1].Finished;
        Assert.Equal(RunState.Succeeded, aloneFinished.State);

        var neighbour = await client.StartRunAsync(TestRuns.Tiny(epochs: 500));
        var beside = await client.StartRunAsync(TestRuns.Tiny(epochs: 2));
        var besideEvents = await TestRuns.WatchToEndAsync(client, beside.RunId, timeout: TimeSpan.FromMinutes(2));
        var besideFinished = besideEvents[^1].Finished;

        // The neighbour was running all along: the second run did not wait in the queue for it.
        var neighbourNow = await client.GetRunAsync(new GetRunRequest { RunId = neighbour.RunId });
        Assert.Equal(RunState.Running, neighbourNow.State);
        Assert.Equal(RunState.Succeeded, besideFinished.State);
        Assert.Equal(aloneFinished.BestValidationLoss, besideFinished.BestValidationLoss);

        var cancelled = await client.CancelRunAsync(new CancelRunRequest { RunId = neighbour.RunId });
        Assert.Equal(RunState.Cancelled, cancelled.State);
    }
}
