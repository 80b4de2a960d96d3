using System.Collections.Concurrent;
using Grpc.Core;
using Hbac.Contracts.V1;
using HbacAspire.AppHost.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using static HbacAspire.AppHost.Tests.TestSupport;

namespace HbacAspire.AppHost.Tests;

/// <summary>
/// The built-in job's decisions and its calls, against in-test gRPC services (real Kestrel, h2c)
/// that record what they were asked. One host stands in for all three services.
/// </summary>
public sealed class DefaultJobTests : IAsyncLifetime
{
    private readonly Stack _stack = new();
    private FakeServiceHost _host = null!;

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
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>Runs the job; its lines and the resources it waited for are in <paramref name="environment"/>.</summary>
    private static async Task<string> RunJobAsync(AppHostOptions options, TestJobEnvironment environment)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var job = new DefaultJob(options);
        return await job.RunAsync(environment, options.Job, timeout.Token);
    }

    private static AppHostOptions Options(string home, string? data = null, DefaultJobMode job = DefaultJobMode.Auto) =>
        new() { Home = home, Data = data, Job = job, SyntheticPatients = 3 };

    [Fact]
    public async Task WithoutDataItGeneratesPreparesTrainsBothKindsAndWaitsUntilBothAreServed()
    {
        var home = TempDirectory();
        var environment = new TestJobEnvironment(_host.Address);
        var result = await RunJobAsync(Options(home), environment);

        var lines = environment.Lines;
        var synthetic = Path.Combine(home, "data", DefaultJob.SyntheticFolder);
        Assert.True(File.Exists(Path.Combine(synthetic, "train.csv")), string.Join('\n', lines));
        Assert.Equal([DefaultJob.SyntheticFolder], _stack.PreparedFolders);
        // Started in order, the spectrogram model first, then followed side by side: both quick MobileNetV3 runs on the same folder.
        Assert.Equal([ModelInputKind.Spectrogram, ModelInputKind.Eeg], _stack.StartedRuns.Select(r => r.InputKind));
        Assert.All(_stack.StartedRuns, run =>
        {
            Assert.Equal(ModelArchitecture.MobilenetV3Large, run.Model);
            Assert.Equal("quick", run.Profile);
            Assert.Equal(DefaultJob.SyntheticFolder, run.DataFolder);
        });
        Assert.Equal(["AppHost default job: spectrogram model", "AppHost default job: EEG model"], _stack.StartedRuns.Select(r => r.Description));
        Assert.Contains(lines, l => l.StartsWith("generating the synthetic dataset (3 patients) in " + synthetic, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("prepared: 7 converted, 3 already cached, 0 failed", StringComparison.Ordinal));
        Assert.Contains("training run run-1: spectrogram model, quick profile, 2 epochs", lines);
        Assert.Contains("training run run-2: EEG model, quick profile, 1 + 1 epochs", lines);
        Assert.Contains("spectrogram training on cpu: 40 train / 10 validation windows, 2 epochs of 3 steps", lines);
        Assert.Contains("EEG training on cpu: 40 train / 10 validation windows, 1 epochs of 3 steps, then 1 of 1 on the 15 windows with the most votes", lines);
        Assert.Contains(lines, l => l.StartsWith("spectrogram epoch 2/2: train loss 0.9000, validation KL 0.8000", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("EEG epoch 1/2: train loss 1.0000, validation KL 0.9000", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("EEG epoch 2/2 (second stage): train loss 0.9000, validation KL 0.8000", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("run run-1 published spectrogram model v-run-1 (best validation KL 0.8000)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("run run-2 published EEG model v-run-2-eeg (best validation KL 0.8000)", StringComparison.Ordinal));
        Assert.Equal("inference serves spectrogram model v-run-1 and EEG model v-run-2-eeg", result);
        // The dashboard state names the kinds being trained.
        Assert.Equal(["Training spectrogram and EEG"], environment.States);
        // Each service is waited for before the job first calls it.
        Assert.Equal(["inference", "preprocessing", "training"], environment.WaitedFor);

        // A second start (inference now serves both kinds) serves them without training again.
        var again = new TestJobEnvironment(_host.Address);
        Assert.Equal("not needed: inference serves spectrogram model v-run-1 and EEG model v-run-2-eeg", await RunJobAsync(Options(home), again));
        Assert.Equal(["the repository already holds spectrogram model v-run-1 and EEG model v-run-2-eeg; not training (--job train trains new ones)"], again.Lines);
        Assert.Equal(2, _stack.StartedRuns.Count);
    }

    [Fact]
    public async Task AutoWithOnlyTheSpectrogramModelServedTrainsOnlyTheEegModelWithoutPreparing()
    {
        _stack.Active = "v-old";
        var environment = new TestJobEnvironment(_host.Address);
        var result = await RunJobAsync(Options(TempDirectory(), TempDirectory()), environment);

        Assert.Equal(ModelInputKind.Eeg, Assert.Single(_stack.StartedRuns).InputKind);
        // The EEG run reads train_eegs/ itself: the spectrogram cache is not prepared.
        Assert.Empty(_stack.PreparedFolders);
        Assert.Equal(["inference", "training"], environment.WaitedFor);
        Assert.Equal("inference serves spectrogram model v-old and no EEG model; training only the EEG model", environment.Lines[0]);
        Assert.Equal("inference serves spectrogram model v-old and EEG model v-run-1-eeg", result);
    }

    [Fact]
    public async Task AutoWithOnlyTheEegModelServedTrainsOnlyTheSpectrogramModel()
    {
        _stack.ActiveEeg = "v-old-eeg";
        var environment = new TestJobEnvironment(_host.Address);
        var result = await RunJobAsync(Options(TempDirectory(), TempDirectory()), environment);

        Assert.Equal(ModelInputKind.Spectrogram, Assert.Single(_stack.StartedRuns).InputKind);
        Assert.Equal(["."], _stack.PreparedFolders);
        Assert.Equal("inference serves spectrogram model v-run-1 and EEG model v-old-eeg", result);
    }

    [Fact]
    public async Task AFinishedSyntheticDatasetIsReusedNotGeneratedAgain()
    {
        var home = TempDirectory();
        await RunJobAsync(Options(home, job: DefaultJobMode.Train), new TestJobEnvironment(_host.Address));

        var again = new TestJobEnvironment(_host.Address);
        Assert.Equal("inference serves spectrogram model v-run-3 and EEG model v-run-4-eeg", await RunJobAsync(Options(home, job: DefaultJobMode.Train), again));
        Assert.Equal("reusing the synthetic dataset in " + Path.Combine(home, "data", DefaultJob.SyntheticFolder), again.Lines[0]);
        Assert.DoesNotContain(again.Lines, l => l.StartsWith("generating", StringComparison.Ordinal));
        Assert.Equal([DefaultJob.SyntheticFolder, DefaultJob.SyntheticFolder], _stack.PreparedFolders);
    }

    [Fact]
    public async Task AKaggleFolderIsPreparedAndTrainedInPlaceAndJobTrainRetrainsOverServedModels()
    {
        _stack.Active = "v-old";
        _stack.ActiveEeg = "v-old-eeg";
        var home = TempDirectory();
        var data = TempDirectory();
        var environment = new TestJobEnvironment(_host.Address);
        var result = await RunJobAsync(Options(home, data, DefaultJobMode.Train), environment);

        Assert.False(Directory.Exists(Path.Combine(home, "data", DefaultJob.SyntheticFolder)));
        Assert.Equal(["."], _stack.PreparedFolders);
        Assert.Equal([".", "."], _stack.StartedRuns.Select(r => r.DataFolder));
        Assert.Contains(environment.Lines, l => l.StartsWith("run run-2 published EEG model v-run-2-eeg", StringComparison.Ordinal));
        Assert.Equal("inference serves spectrogram model v-run-1 and EEG model v-run-2-eeg", result);
        Assert.Equal("v-run-1", _stack.Active);
        Assert.Equal("v-run-2-eeg", _stack.ActiveEeg);
    }

    [Fact]
    public async Task ATrainCommandForOneKindTrainsOnlyThatKindAndKeepsTheOtherServed()
    {
        _stack.Active = "v-old";
        _stack.ActiveEeg = "v-old-eeg";
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var job = new DefaultJob(Options(TempDirectory(), TempDirectory()));
        var environment = new TestJobEnvironment(_host.Address);

        var result = await job.RunAsync(environment, DefaultJobMode.Train, timeout.Token, [ModelInputKind.Eeg]);

        Assert.Equal(ModelInputKind.Eeg, Assert.Single(_stack.StartedRuns).InputKind);
        Assert.Empty(_stack.PreparedFolders);
        Assert.Equal(["Training EEG"], environment.States);
        Assert.Equal("inference serves spectrogram model v-old and EEG model v-run-1-eeg", result);
    }

    [Fact]
    public async Task JobNoneCallsNothing()
    {
        var environment = new TestJobEnvironment(_host.Address);
        var result = await RunJobAsync(Options(TempDirectory(), job: DefaultJobMode.None), environment);
        Assert.Equal("not run (--job none)", result);
        Assert.Equal(["--job none: serving what the model repository holds"], environment.Lines);
        Assert.Empty(environment.WaitedFor);
        Assert.Empty(_stack.PreparedFolders);
        Assert.Empty(_stack.StartedRuns);
        Assert.Equal(0, _stack.ListModelsCalls);
    }

    [Fact]
    public async Task AFailedRunEndsTheJobWithTheRunsErrorAndCancelsTheOtherRun()
    {
        _stack.FailKind = ModelInputKind.Spectrogram;
        _stack.EegDelay = TimeSpan.FromSeconds(30);
        var environment = new TestJobEnvironment(_host.Address);
        var failure = await Assert.ThrowsAsync<JobFailedException>(() =>
            RunJobAsync(Options(TempDirectory(), TempDirectory()), environment));
        Assert.Equal("spectrogram run run-1 failed: train.csv: row 3: expert_consensus 'Bogus' is not a class", failure.Message);
        Assert.Equal("", _stack.Active);
        // Only the start's "what is served?" question: the job does not wait for a model.
        Assert.Equal(1, _stack.ListModelsCalls);
        // The EEG run, still training, is cancelled: nobody waits for its model any more.
        Assert.Equal(2, _stack.StartedRuns.Count);
        Assert.Equal(["run-2"], _stack.CancelledRuns);
        Assert.Contains("cancelled run run-2 (EEG model): the job has failed", environment.Lines);
    }

    [Fact]
    public async Task ARunLostToATrainingServiceRestartIsStartedAgain()
    {
        _stack.LoseFirstRun = true;
        var environment = new TestJobEnvironment(_host.Address);
        var result = await RunJobAsync(Options(TempDirectory(), TempDirectory()), environment);
        Assert.Equal([ModelInputKind.Spectrogram, ModelInputKind.Eeg, ModelInputKind.Spectrogram], _stack.StartedRuns.Select(r => r.InputKind));
        Assert.Contains("the training service lost run run-1 (NotFound); starting it again", environment.Lines);
        Assert.Contains(environment.Lines, l => l.StartsWith("run run-3 published spectrogram model v-run-3", StringComparison.Ordinal));
        Assert.Equal("inference serves spectrogram model v-run-3 and EEG model v-run-2-eeg", result);
        // The job waits for the training service to be healthy again before it starts the run anew.
        Assert.Equal(["inference", "preprocessing", "training", "training"], environment.WaitedFor);
    }

    [Fact]
    public async Task ARunLostEveryTimeEndsTheJobAfterThreeAttempts()
    {
        _stack.LoseEveryRun = true;
        var failure = await Assert.ThrowsAsync<JobFailedException>(() =>
            RunJobAsync(Options(TempDirectory(), TempDirectory()), new TestJobEnvironment(_host.Address)));
        // Both runs are lost over and over; whichever is lost a third time first ends the job.
        Assert.Matches(@"^the training service lost run run-\d 3 times \(NotFound\)$", failure.Message);
        Assert.InRange(_stack.StartedRuns.Count, 5, 6);
    }

    [Fact]
    public async Task ARefusedSpectrogramModelEndsTheJobWithTheInferenceServicesReasonWithoutWaitingForTheEegRun()
    {
        _stack.RefusePublished = ModelInputKind.Spectrogram;
        _stack.EegDelay = TimeSpan.FromSeconds(30);
        var failure = await Assert.ThrowsAsync<JobFailedException>(() =>
            RunJobAsync(Options(TempDirectory(), TempDirectory()), new TestJobEnvironment(_host.Address)));
        Assert.Equal("inference refused spectrogram model v-run-1: model.onnx: input is [1, 3, 64, 64], expected [N, 3, 400, 300]", failure.Message);
        Assert.Equal(["run-2"], _stack.CancelledRuns);
    }

    [Fact]
    public async Task ARefusedEegModelIsReportedWithTheInferenceServicesReason()
    {
        _stack.RefusePublished = ModelInputKind.Eeg;
        // Without an order, the EEG refusal could end the job before the spectrogram run published (seen once in CI).
        _stack.EegAfterSpectrogram = true;
        var failure = await Assert.ThrowsAsync<JobFailedException>(() =>
            RunJobAsync(Options(TempDirectory(), TempDirectory()), new TestJobEnvironment(_host.Address)));
        Assert.Equal("inference refused EEG model v-run-2-eeg: model.onnx: input is [1, 3, 64, 64], expected [N, 3, 400, 300]", failure.Message);
        Assert.Equal("v-run-1", _stack.Active);
    }

    [Fact]
    public async Task WithThreePreprocessingReplicasItPreparesWithThreeConcurrentCallsOnThreeConnections()
    {
        _stack.ConcurrentPrepares = 3;
        var environment = new TestJobEnvironment(_host.Address, preprocessingReplicas: 3);
        await RunJobAsync(Options(TempDirectory(), TempDirectory(), DefaultJobMode.Train), environment);

        // Three calls, open at once (the fake answers none before all three arrived), each on a connection of its own:
        // behind the AppHost's proxy, three connections reach the replicas the proxy picks for each.
        Assert.Equal([".", ".", "."], _stack.PreparedFolders);
        Assert.Equal(3, _stack.PrepareConnections.Distinct().Count());
        Assert.Contains("preparing '.' with 3 concurrent calls to the 3 preprocessing replicas", environment.Lines);
        Assert.Equal(["preparing: 25 %", "preparing: 50 %", "preparing: 75 %"], environment.Lines.Where(l => l.StartsWith("preparing: ", StringComparison.Ordinal)));
        var prepared = Assert.Single(environment.Lines, l => l.StartsWith("prepared by 3 calls: ", StringComparison.Ordinal));
        Assert.StartsWith("prepared by 3 calls: 7 converted, 3 already cached, 0 failed in 1.5 s (converted per call: ", prepared);
        Assert.EndsWith("3 of 3 report the dataset complete)", prepared);
        Assert.Equal(2, _stack.StartedRuns.Count);
    }

    [Fact]
    public async Task AnInvalidRequestEndsTheJobWithTheServicesMessage()
    {
        _stack.PrepareError = new Status(StatusCode.FailedPrecondition, "folder: '.' has neither train_spectrograms/ nor test_spectrograms/");
        var failure = await Assert.ThrowsAsync<JobFailedException>(() =>
            RunJobAsync(Options(TempDirectory(), TempDirectory()), new TestJobEnvironment(_host.Address)));
        Assert.Equal("could not prepare the dataset: FailedPrecondition: folder: '.' has neither train_spectrograms/ nor test_spectrograms/", failure.Message);
        Assert.Empty(_stack.StartedRuns);
    }

    [Fact]
    public async Task AnUnreachableServiceEndsTheJobAfterItsRetries()
    {
        var environment = new TestJobEnvironment(new Uri($"http://127.0.0.1:{ClosedLoopbackPort()}"));
        var failure = await Assert.ThrowsAsync<JobFailedException>(() =>
            RunJobAsync(Options(TempDirectory(), TempDirectory()), environment));
        Assert.StartsWith("could not list the models: Unavailable: ", failure.Message);
        Assert.Equal(2, environment.Lines.Count(l => l.StartsWith("could not list the models (Unavailable: ", StringComparison.Ordinal)));
        Assert.Equal(["inference", "inference", "inference"], environment.WaitedFor);
    }

    [Theory]
    [InlineData(null, "Unauthenticated: no API key")]
    [InlineData("a-wrong-key-of-enough-length", "PermissionDenied: wrong API key")]
    public async Task AJobWithoutTheServicesKeyFailsAtOnceSayingSo(string? apiKey, string refusal)
    {
        var environment = new TestJobEnvironment(_host.Address, apiKey);

        var failure = await Assert.ThrowsAsync<JobFailedException>(() => RunJobAsync(Options(TempDirectory(), TempDirectory()), environment));

        // Not retried as a transient failure: the first answer ends the job.
        Assert.StartsWith("could not list the models: " + refusal, failure.Message);
        Assert.DoesNotContain(environment.Lines, l => l.StartsWith("could not list the models (", StringComparison.Ordinal));
        Assert.Empty(_stack.StartedRuns);
    }

    /// <summary>
    /// The job's view of a running app with every service at <paramref name="address"/>, always
    /// healthy, sending <paramref name="apiKey"/>; it records the lines reported and the resources waited for.
    /// </summary>
    private sealed class TestJobEnvironment(Uri address, string? apiKey = TestApiKey.Value, int preprocessingReplicas = 1) : IJobEnvironment
    {
        public int Replicas(string resource) => resource == "preprocessing" ? preprocessingReplicas : 1;

        private readonly Lock _gate = new();
        private readonly List<string> _lines = [];
        private readonly List<string> _waitedFor = [];
        private readonly List<string> _states = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_gate)
                {
                    return [.. _lines];
                }
            }
        }

        public IReadOnlyList<string> WaitedFor
        {
            get
            {
                lock (_gate)
                {
                    return [.. _waitedFor];
                }
            }
        }

        public IReadOnlyList<string> States
        {
            get
            {
                lock (_gate)
                {
                    return [.. _states];
                }
            }
        }

        public Task SetStateAsync(string state)
        {
            lock (_gate)
            {
                _states.Add(state);
            }
            return Task.CompletedTask;
        }

        public Task<string?> ApiKeyAsync(CancellationToken cancellationToken) => Task.FromResult(apiKey);

        public Uri Endpoint(string resource) => resource is "preprocessing" or "training" or "inference"
            ? address
            : throw new ArgumentException($"no resource '{resource}'", nameof(resource));

        public Task WaitUntilHealthyAsync(string resource, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                _waitedFor.Add(resource);
            }
            return Task.CompletedTask;
        }

        public void Report(string line)
        {
            lock (_gate)
            {
                _lines.Add(line);
            }
        }
    }

/// <summary>What the fake services were asked, and how they should behave.</summary>
    private sealed class Stack
    {
        public readonly ConcurrentQueue<string> Prepared = new();
        public readonly ConcurrentQueue<StartRunRequest> Started = new();
        public readonly ConcurrentDictionary<string, ModelInputKind> RunKinds = new();
        public volatile string Active = "";
        public volatile string ActiveEeg = "";
        /// <summary>Runs of this kind fail (Unspecified: none).</summary>
        public ModelInputKind FailKind = ModelInputKind.Unspecified;
        /// <summary>How long an EEG run's watch waits before its first event (a run still training).</summary>
        public TimeSpan EegDelay = TimeSpan.Zero;
        /// <summary>An EEG run's watch starts only once the spectrogram model is served, so the two runs end in a known order.</summary>
        public volatile bool EegAfterSpectrogram;
        public readonly TaskCompletionSource SpectrogramServed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly ConcurrentQueue<string> Cancelled = new();
        public volatile bool LoseFirstRun;
        public volatile bool LoseEveryRun;
        private int _listModelsCalls;
        /// <summary>Inference refuses the published model of this kind (Unspecified: none).</summary>
        public ModelInputKind RefusePublished = ModelInputKind.Unspecified;
        public volatile string? Refused;
        public Status? PrepareError;
        /// <summary>PrepareDataset calls answer only once this many are open at once (the job's calls run side by side).</summary>
        public int ConcurrentPrepares = 1;
        public readonly ConcurrentQueue<string> PrepareConnections = new();
        private int _prepareArrivals;
        public readonly TaskCompletionSource AllPreparesOpen = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Arrival order of a PrepareDataset call (0, 1, ...); the last expected one opens the gate.</summary>
        public int ArrivePrepare()
        {
            var index = Interlocked.Increment(ref _prepareArrivals) - 1;
            if (index + 1 >= ConcurrentPrepares)
            {
                AllPreparesOpen.TrySetResult();
            }
            return index;
        }

        public int ListModelsCalls => Volatile.Read(ref _listModelsCalls);

        public void CountListModels() => Interlocked.Increment(ref _listModelsCalls);

        public IReadOnlyList<string> PreparedFolders => [.. Prepared];

        public IReadOnlyList<StartRunRequest> StartedRuns => [.. Started];

        public IReadOnlyList<string> CancelledRuns => [.. Cancelled];
    }

    private sealed class FakePreprocessing(Stack stack) : Preprocessing.PreprocessingBase
    {
        public override async Task PrepareDataset(PrepareDatasetRequest request, IServerStreamWriter<PrepareDatasetUpdate> responseStream, ServerCallContext context)
        {
            stack.Prepared.Enqueue(request.Folder);
            stack.PrepareConnections.Enqueue(context.GetHttpContext().Connection.Id);
            if (stack.PrepareError is { } error)
            {
                throw new RpcException(error);
            }
            var index = stack.ArrivePrepare();
            await stack.AllPreparesOpen.Task.WaitAsync(TimeSpan.FromSeconds(30), context.CancellationToken);
            // 10 files, 3 cached before: a lone call converts the 7 others; concurrent calls share them out (3, 2, 2, 0, ...).
            int[] shares = [3, 2, 2];
            var converted = stack.ConcurrentPrepares == 1 ? 7 : index < shares.Length ? shares[index] : 0;
            for (var done = 1; done <= 10; done++)
            {
                await responseStream.WriteAsync(new PrepareDatasetUpdate { Progress = new PrepareDatasetProgress { FilesDone = done, FilesTotal = 10 } });
            }
            await responseStream.WriteAsync(new PrepareDatasetUpdate
            {
                Result = new PrepareDatasetResult
                {
                    FilesConverted = converted, CacheHits = 3, FilesConvertedElsewhere = 7 - converted, FilesTotal = 10, Complete = true,
                    Elapsed = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(1.5)),
                },
            });
        }
    }

    private sealed class FakeTraining(Stack stack) : Training.TrainingBase
    {
        public override Task<RunInfo> StartRun(StartRunRequest request, ServerCallContext context)
        {
            stack.Started.Enqueue(request);
            var id = $"run-{stack.Started.Count}";
            var kind = request.InputKind == ModelInputKind.Unspecified ? ModelInputKind.Spectrogram : request.InputKind;
            stack.RunKinds[id] = kind;
            // EEG runs have a second stage, as the quick EEG profile's: 1 + 1 epochs.
            var hyperParameters = new HyperParameters { Epochs = kind == ModelInputKind.Eeg ? 1 : 2, FineTuneEpochs = kind == ModelInputKind.Eeg ? 1 : 0 };
            return Task.FromResult(new RunInfo { RunId = id, State = RunState.Queued, Epochs = 2, InputKind = kind, HyperParameters = hyperParameters });
        }

        public override Task<RunInfo> CancelRun(CancelRunRequest request, ServerCallContext context)
        {
            stack.Cancelled.Enqueue(request.RunId);
            return Task.FromResult(new RunInfo { RunId = request.RunId, State = RunState.Cancelled });
        }

        public override async Task WatchRun(WatchRunRequest request, IServerStreamWriter<RunEvent> responseStream, ServerCallContext context)
        {
            if (stack.LoseEveryRun || (stack.LoseFirstRun && request.RunId == "run-1"))
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"run_id: no run '{request.RunId}'"));
            }
            var kind = stack.RunKinds[request.RunId];
            if (kind == ModelInputKind.Eeg && stack.EegDelay > TimeSpan.Zero)
            {
                await Task.Delay(stack.EegDelay, context.CancellationToken);
            }
            if (kind == ModelInputKind.Eeg && stack.EegAfterSpectrogram)
            {
                await stack.SpectrogramServed.Task.WaitAsync(context.CancellationToken);
            }
            var sequence = 0L;
            RunEvent Event(Action<RunEvent> fill)
            {
                var e = new RunEvent { RunId = request.RunId, Sequence = ++sequence };
                fill(e);
                return e;
            }
            await responseStream.WriteAsync(Event(e => e.Started = kind == ModelInputKind.Eeg
                ? new RunStarted { Epochs = 2, StepsPerEpoch = 3, TrainSamples = 40, ValidationSamples = 10, Device = "cpu", FineTuneEpochs = 1, FineTuneSamples = 15, FineTuneStepsPerEpoch = 1 }
                : new RunStarted { Epochs = 2, StepsPerEpoch = 3, TrainSamples = 40, ValidationSamples = 10, Device = "cpu" }));
            for (var epoch = 1; epoch <= 2; epoch++)
            {
                var current = epoch;
                await responseStream.WriteAsync(Event(e => e.Epoch = new EpochCompleted
                {
                    Epoch = current, Epochs = 2, TrainLoss = 1.1 - 0.1 * current, ValidationLoss = 1.0 - 0.1 * current, SamplesPerSecond = 12,
                }));
            }
            // The real service names EEG versions "...-eeg" too.
            var version = "v-" + request.RunId + (kind == ModelInputKind.Eeg ? "-eeg" : "");
            if (stack.FailKind == kind)
            {
                await responseStream.WriteAsync(Event(e => e.Finished = new RunFinished
                {
                    State = RunState.Failed, Error = "train.csv: row 3: expert_consensus 'Bogus' is not a class",
                }));
                return;
            }
            if (stack.RefusePublished == kind)
            {
                stack.Refused = version;
            }
            else if (kind == ModelInputKind.Eeg)
            {
                stack.ActiveEeg = version;
            }
            else
            {
                stack.Active = version;
                stack.SpectrogramServed.TrySetResult();
            }
            await responseStream.WriteAsync(Event(e => e.Finished = new RunFinished { State = RunState.Succeeded, ModelVersion = version, BestValidationLoss = 0.8 }));
        }
    }

    private sealed class FakeInference(Stack stack) : Inference.InferenceBase
    {
        public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
        {
            stack.CountListModels();
            var response = new ListModelsResponse { ActiveVersion = stack.Active, ActiveEegVersion = stack.ActiveEeg };
            if (stack.Refused is { } refused)
            {
                response.Models.Add(new ModelInfo
                {
                    Version = refused, Valid = false, InvalidReason = "model.onnx: input is [1, 3, 64, 64], expected [N, 3, 400, 300]",
                });
            }
            if (stack.Active.Length > 0)
            {
                response.Models.Add(new ModelInfo { Version = stack.Active, Active = true, Valid = true, InputKind = ModelInputKind.Spectrogram });
            }
            if (stack.ActiveEeg.Length > 0)
            {
                response.Models.Add(new ModelInfo { Version = stack.ActiveEeg, Active = true, Valid = true, InputKind = ModelInputKind.Eeg });
            }
            return Task.FromResult(response);
        }
    }
}
