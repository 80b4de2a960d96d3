using System.Collections.Concurrent;
using Grpc.Core;
using Hbac.Contracts.V1;
using HbacAspire.AppHost.Dashboard;
using HbacAspire.AppHost.Feeds;
using HbacAspire.AppHost.Jobs;
using HbacAspire.AppHost.Supervision;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using static HbacAspire.AppHost.Tests.TestSupport;

namespace HbacAspire.AppHost.Tests;

/// <summary>
/// The built-in job's decisions and its calls, against in-test gRPC services (real Kestrel, h2c)
/// that record what they were asked. The real services run it end to end in AppHostProcessTests.
/// </summary>
public sealed class DefaultJobTests : IAsyncLifetime
{
    private readonly Stack _stack = new();
    private readonly GrpcChannels _channels = new();
    private FakeServiceHost _host = null!;
    private Supervisor _supervisor = null!;

    public async Task InitializeAsync()
    {
        _host = await FakeServiceHost.StartAsync(
            services => services.AddSingleton(_stack),
            app =>
            {
                app.MapGrpcService<FakePreprocessing>();
                app.MapGrpcService<FakeTraining>();
                app.MapGrpcService<FakeInference>();
            });
        _supervisor = new Supervisor([_host.StandIn("preprocessing"), _host.StandIn("training"), _host.StandIn("inference")],
            new SupervisorOptions { HealthInterval = TimeSpan.FromMilliseconds(100) });
        _supervisor.Start();
        await Eventually(() => _supervisor.Runners.All(r => r.IsHealthy), "stand-ins healthy");
    }

    public async Task DisposeAsync()
    {
        await _supervisor.DisposeAsync();
        _channels.Dispose();
        await _host.DisposeAsync();
    }

    private async Task<(List<string> Lines, AppHostStatus Status)> RunJobAsync(AppHostOptions options)
    {
        var lines = new List<string>();
        var status = new AppHostStatus(options.Home, "test");
        var context = new AppHostJobContext(options, _supervisor, new TrainingRunsBoard(), new ModelsBoard(), lines.Add, status);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await new DefaultJob(_channels, syntheticPatients: 3).RunAsync(context, timeout.Token);
        return (lines, status);
    }

    [Fact]
    public async Task WithoutDataItGeneratesPreparesTrainsAndWaitsUntilTheModelIsServed()
    {
        var home = TempDirectory();
        var (lines, status) = await RunJobAsync(new AppHostOptions { Home = home });

        var synthetic = Path.Combine(home, "data", DefaultJob.SyntheticFolder);
        Assert.True(File.Exists(Path.Combine(synthetic, "train.csv")), string.Join('\n', lines));
        Assert.Equal([DefaultJob.SyntheticFolder], _stack.PreparedFolders);
        var run = Assert.Single(_stack.StartedRuns);
        Assert.Equal(ModelArchitecture.MobilenetV3Large, run.Model);
        Assert.Equal("quick", run.Profile);
        Assert.Equal(DefaultJob.SyntheticFolder, run.DataFolder);
        Assert.Contains(lines, l => l.StartsWith("job: prepared: 7 converted, 3 already cached, 0 failed", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("job: epoch 2/2: train loss 0.9000, validation KL 0.8000", StringComparison.Ordinal));
        Assert.Equal("job: done: inference serves model v-run-1", lines[^1]);
        Assert.Equal("done: inference serves model v-run-1", status.Job);

        // A second start (the repository now holds a model) serves it without training again.
        var (again, _) = await RunJobAsync(new AppHostOptions { Home = home });
        Assert.Equal(["job: the repository already holds model v-run-1; not training (--job train trains a new one)"], again);
        Assert.Single(_stack.StartedRuns);
    }

    [Fact]
    public async Task AKaggleFolderIsPreparedAndTrainedInPlaceAndJobTrainRetrainsOverAServedModel()
    {
        _stack.Active = "v-old";
        var home = TempDirectory();
        var data = TempDirectory();
        var (lines, _) = await RunJobAsync(new AppHostOptions { Home = home, Data = data, Job = DefaultJobMode.Train });

        Assert.False(Directory.Exists(Path.Combine(home, "data", DefaultJob.SyntheticFolder)));
        Assert.Equal(["."], _stack.PreparedFolders);
        Assert.Equal(".", Assert.Single(_stack.StartedRuns).DataFolder);
        Assert.Equal("job: done: inference serves model v-run-1", lines[^1]);
    }

    [Fact]
    public async Task JobNoneCallsNothing()
    {
        var (lines, status) = await RunJobAsync(new AppHostOptions { Home = TempDirectory(), Job = DefaultJobMode.None });
        Assert.Equal(["job: --job none: serving what the model repository holds"], lines);
        Assert.Empty(_stack.PreparedFolders);
        Assert.Empty(_stack.StartedRuns);
        Assert.Equal("--job none: serving what the model repository holds", status.Job);
    }

    [Fact]
    public async Task AFailedRunEndsTheJobWithTheRunsErrorAndNothingIsWaitedFor()
    {
        _stack.FailRuns = true;
        var (lines, _) = await RunJobAsync(new AppHostOptions { Home = TempDirectory(), Data = TempDirectory() });
        Assert.Equal("job: failed: run run-1 failed: train.csv: row 3: expert_consensus 'Bogus' is not a class", lines[^1]);
        Assert.Equal("", _stack.Active);
    }

    [Fact]
    public async Task ARunLostToATrainingServiceRestartIsStartedAgain()
    {
        _stack.LoseFirstRun = true;
        var (lines, _) = await RunJobAsync(new AppHostOptions { Home = TempDirectory(), Data = TempDirectory() });
        Assert.Equal(2, _stack.StartedRuns.Count);
        Assert.Contains("job: the training service lost run run-1 (NotFound); starting it again", lines);
        Assert.Equal("job: done: inference serves model v-run-2", lines[^1]);
    }

    [Fact]
    public async Task ARefusedModelIsReportedWithTheInferenceServicesReason()
    {
        _stack.RefusePublished = true;
        var (lines, _) = await RunJobAsync(new AppHostOptions { Home = TempDirectory(), Data = TempDirectory() });
        Assert.Equal("job: failed: inference refused model v-run-1: model.onnx: input is [1, 3, 64, 64], expected [N, 3, 400, 300]", lines[^1]);
    }

    [Fact]
    public async Task AnInvalidRequestEndsTheJobWithTheServicesMessage()
    {
        _stack.PrepareError = new Status(StatusCode.FailedPrecondition, "folder: '.' has neither train_spectrograms/ nor test_spectrograms/");
        var (lines, _) = await RunJobAsync(new AppHostOptions { Home = TempDirectory(), Data = TempDirectory() });
        Assert.Equal("job: failed: could not prepare the dataset: FailedPrecondition: folder: '.' has neither train_spectrograms/ nor test_spectrograms/", lines[^1]);
        Assert.Empty(_stack.StartedRuns);
    }

    /// <summary>What the fake services were asked, and how they should behave.</summary>
    private sealed class Stack
    {
        public readonly ConcurrentQueue<string> Prepared = new();
        public readonly ConcurrentQueue<StartRunRequest> Started = new();
        public volatile string Active = "";
        public volatile bool FailRuns;
        public volatile bool LoseFirstRun;
        public volatile bool RefusePublished;
        public volatile string? Refused;
        public Status? PrepareError;

        public IReadOnlyList<string> PreparedFolders => [.. Prepared];

        public IReadOnlyList<StartRunRequest> StartedRuns => [.. Started];
    }

    private sealed class FakePreprocessing(Stack stack) : Preprocessing.PreprocessingBase
    {
        public override async Task PrepareDataset(PrepareDatasetRequest request, IServerStreamWriter<PrepareDatasetUpdate> responseStream, ServerCallContext context)
        {
            stack.Prepared.Enqueue(request.Folder);
            if (stack.PrepareError is { } error)
            {
                throw new RpcException(error);
            }
            for (var done = 1; done <= 10; done++)
            {
                await responseStream.WriteAsync(new PrepareDatasetUpdate { Progress = new PrepareDatasetProgress { FilesDone = done, FilesTotal = 10 } });
            }
            await responseStream.WriteAsync(new PrepareDatasetUpdate
            {
                Result = new PrepareDatasetResult { FilesConverted = 7, CacheHits = 3, Elapsed = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(1.5)) },
            });
        }
    }

    private sealed class FakeTraining(Stack stack) : Training.TrainingBase
    {
        public override Task<RunInfo> StartRun(StartRunRequest request, ServerCallContext context)
        {
            stack.Started.Enqueue(request);
            return Task.FromResult(new RunInfo { RunId = $"run-{stack.Started.Count}", State = RunState.Queued, Epochs = 2 });
        }

        public override async Task WatchRun(WatchRunRequest request, IServerStreamWriter<RunEvent> responseStream, ServerCallContext context)
        {
            if (stack.LoseFirstRun && request.RunId == "run-1")
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"run_id: no run '{request.RunId}'"));
            }
            var sequence = 0L;
            RunEvent Event(Action<RunEvent> fill)
            {
                var e = new RunEvent { RunId = request.RunId, Sequence = ++sequence };
                fill(e);
                return e;
            }
            await responseStream.WriteAsync(Event(e => e.Started = new RunStarted { Epochs = 2, StepsPerEpoch = 3, TrainSamples = 40, ValidationSamples = 10, Device = "cpu" }));
            for (var epoch = 1; epoch <= 2; epoch++)
            {
                var current = epoch;
                await responseStream.WriteAsync(Event(e => e.Epoch = new EpochCompleted
                {
                    Epoch = current, Epochs = 2, TrainLoss = 1.1 - 0.1 * current, ValidationLoss = 1.0 - 0.1 * current, SamplesPerSecond = 12,
                }));
            }
            var version = "v-" + request.RunId;
            if (stack.FailRuns)
            {
                await responseStream.WriteAsync(Event(e => e.Finished = new RunFinished
                {
                    State = RunState.Failed, Error = "train.csv: row 3: expert_consensus 'Bogus' is not a class",
                }));
                return;
            }
            if (stack.RefusePublished)
            {
                stack.Refused = version;
            }
            else
            {
                stack.Active = version;
            }
            await responseStream.WriteAsync(Event(e => e.Finished = new RunFinished { State = RunState.Succeeded, ModelVersion = version, BestValidationLoss = 0.8 }));
        }
    }

    private sealed class FakeInference(Stack stack) : Inference.InferenceBase
    {
        public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
        {
            var response = new ListModelsResponse { ActiveVersion = stack.Active };
            if (stack.Refused is { } refused)
            {
                response.Models.Add(new ModelInfo
                {
                    Version = refused, Valid = false, InvalidReason = "model.onnx: input is [1, 3, 64, 64], expected [N, 3, 400, 300]",
                });
            }
            if (stack.Active.Length > 0)
            {
                response.Models.Add(new ModelInfo { Version = stack.Active, Active = true, Valid = true });
            }
            return Task.FromResult(response);
        }
    }
}
