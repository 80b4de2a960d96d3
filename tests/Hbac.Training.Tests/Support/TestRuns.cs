using Grpc.Core;
using Hbac.Contracts.V1;
using TrainingClient = Hbac.Contracts.V1.Training.TrainingClient;

namespace Hbac.Training.Tests.Support;

/// <summary>Requests and waits shared by the service tests.</summary>
internal static class TestRuns
{
    /// <summary>
    /// MobileNetV3 on the quick profile (its input pooling inside the model), one epoch and no second stage
    /// over 16 training and 8 validation windows: a real run through the whole code path in seconds.
    /// </summary>
    public static StartRunRequest Tiny(string dataFolder = "", int epochs = 1, string description = "",
        ModelInputKind inputKind = ModelInputKind.Unspecified) => new()
    {
        Model = ModelArchitecture.MobilenetV3Large,
        InputKind = inputKind,
        Profile = "quick",
        DataFolder = dataFolder,
        Description = description,
        HyperParameters = new HyperParameters { Epochs = epochs, FineTuneEpochs = 0, BatchSize = 8, MaxTrainWindows = 16, MaxValidationWindows = 8 },
    };

    /// <summary>Every event of the run (replayed from the first), up to and including RunFinished.</summary>
    public static async Task<List<RunEvent>> WatchToEndAsync(TrainingClient client, string runId, bool replay = true, TimeSpan? timeout = null)
    {
        using var call = client.WatchRun(new WatchRunRequest { RunId = runId, Replay = replay },
            deadline: DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(3)));
        var events = new List<RunEvent>();
        await foreach (var runEvent in call.ResponseStream.ReadAllAsync())
        {
            events.Add(runEvent);
        }
        return events;
    }

    /// <summary>Polls GetRun until the run is in <paramref name="state"/>.</summary>
    public static async Task<RunInfo> WaitForStateAsync(TrainingClient client, string runId, RunState state, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        while (true)
        {
            var run = await client.GetRunAsync(new GetRunRequest { RunId = runId });
            if (run.State == state)
            {
                return run;
            }
            Assert.True(DateTime.UtcNow < deadline, $"run {runId} is {run.State}, expected {state}");
            await Task.Delay(50);
        }
    }

    public static async Task<RpcException> RejectedAsync(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);
}
