using Grpc.Core;
using Hbac.Contracts.V1;
using Hbac.Training.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Hbac.Training.Tests;

/// <summary>A bounded queue, cancelling queued and running runs, and a publish that survives Redis being down.</summary>
[Collection("Training service")]
public sealed class CancelAndQueueTests : IAsyncLifetime
{
    private readonly TrainingHost _host = new(SyntheticData.Root, new Dictionary<string, string> { ["Hbac:MaxQueuedRuns"] = "1", ["Hbac:Cores"] = "1" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task CancelledRunsEndCancelledAndPublishNothingAndAFullQueueIsResourceExhausted()
    {
        var client = _host.Client;
        var running = await client.StartRunAsync(TestRuns.Tiny(epochs: 500));
        await WaitForFirstStepAsync(running.RunId);
        var queued = await client.StartRunAsync(TestRuns.Tiny());
        Assert.Equal(RunState.Queued, queued.State);

        var full = await TestRuns.RejectedAsync(() => client.StartRunAsync(TestRuns.Tiny()).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, full.StatusCode);
        Assert.StartsWith("queue:", full.Status.Detail);

        var queuedCancelled = await client.CancelRunAsync(new CancelRunRequest { RunId = queued.RunId });
        Assert.Equal(RunState.Cancelled, queuedCancelled.State);
        Assert.Null(queuedCancelled.StartedAt);
        var queuedEvents = await TestRuns.WatchToEndAsync(client, queued.RunId);
        Assert.Equal(RunState.Cancelled, Assert.Single(queuedEvents).Finished.State);

        var runningCancelled = await client.CancelRunAsync(new CancelRunRequest { RunId = running.RunId });
        Assert.True(runningCancelled.State == RunState.Cancelled, $"the running run ended {runningCancelled.State}: {runningCancelled.Error}");
        Assert.Empty(runningCancelled.ModelVersion);
        Assert.Empty(runningCancelled.Error);
        Assert.True(runningCancelled.Epoch < 500);
        var events = await TestRuns.WatchToEndAsync(client, running.RunId);
        Assert.Equal(RunEvent.EventOneofCase.Started, events[0].EventCase);
        Assert.Equal(RunState.Cancelled, events[^1].Finished.State);

        // Nothing published, work folder removed, nothing announced.
        Assert.Empty(_host.RepositoryFolders());
        Assert.Empty(_host.Announcements.Published);

        // A second cancel is a no-op.
        Assert.Equal(runningCancelled, await client.CancelRunAsync(new CancelRunRequest { RunId = running.RunId }));
    }

    [Fact]
    public async Task ARunSucceedsAndPublishesWhenAnnouncingFails()
    {
        _host.Announcements.Throw = true;

        var run = await _host.Client.StartRunAsync(TestRuns.Tiny());
        var events = await TestRuns.WatchToEndAsync(_host.Client, run.RunId);

        var finished = events[^1].Finished;
        Assert.Equal(RunState.Succeeded, finished.State);
        Assert.Equal([finished.ModelVersion], _host.RepositoryFolders());
        Assert.Empty(_host.Announcements.Published);
    }

    [Fact]
    public async Task AWatchEndsOkOnlyAfterRunFinishedEvenWhenTheServiceStops()
    {
        var run = await _host.Client.StartRunAsync(TestRuns.Tiny(epochs: 500));
        await WaitForFirstStepAsync(run.RunId);
        using var call = _host.Client.WatchRun(new WatchRunRequest { RunId = run.RunId });
        await call.ResponseHeadersAsync;
        _host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        RunEvent? last = null;
        try
        {
            while (await call.ResponseStream.MoveNext().WaitAsync(TimeSpan.FromSeconds(60)))
            {
                last = call.ResponseStream.Current;
            }
            // Ended OK: only allowed once the run's last event was sent.
            Assert.Equal(RunEvent.EventOneofCase.Finished, last?.EventCase);
        }
        catch (RpcException ended)
        {
            Assert.Equal(StatusCode.Unavailable, ended.StatusCode);
        }
    }

    private async Task WaitForFirstStepAsync(string runId)
    {
        using var call = _host.Client.WatchRun(new WatchRunRequest { RunId = runId, Replay = true }, deadline: DateTime.UtcNow.AddMinutes(2));
        await foreach (var runEvent in call.ResponseStream.ReadAllAsync())
        {
            if (runEvent.EventCase == RunEvent.EventOneofCase.Step)
            {
                return;
            }
            Assert.NotEqual(RunEvent.EventOneofCase.Finished, runEvent.EventCase);
        }
    }
}
