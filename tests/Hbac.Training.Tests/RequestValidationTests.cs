using Grpc.Core;
using Hbac.Contracts.V1;
using Hbac.Training.Tests.Support;

namespace Hbac.Training.Tests;

/// <summary>Every RPC's refusals: the status code, a message naming the field, and a service that keeps answering.</summary>
[Collection("Training service")]
public sealed class RequestValidationTests : IAsyncLifetime
{
    private readonly TrainingHost _host = new(SyntheticData.Root);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string, StatusCode, string> BadStarts => new()
    {
        { "model unspecified", StatusCode.InvalidArgument, "model" },
        { "model out of range", StatusCode.InvalidArgument, "model" },
        { "unknown profile", StatusCode.InvalidArgument, "profile" },
        { "epochs 0", StatusCode.InvalidArgument, "hyper_parameters.epochs" },
        { "epochs negative", StatusCode.InvalidArgument, "hyper_parameters.epochs" },
        { "batch_size 0", StatusCode.InvalidArgument, "hyper_parameters.batch_size" },
        { "learning_rate 0", StatusCode.InvalidArgument, "hyper_parameters.learning_rate" },
        { "learning_rate NaN", StatusCode.InvalidArgument, "hyper_parameters.learning_rate" },
        { "learning_rate infinite", StatusCode.InvalidArgument, "hyper_parameters.learning_rate" },
        { "weight_decay negative", StatusCode.InvalidArgument, "hyper_parameters.weight_decay" },
        { "weight_decay NaN", StatusCode.InvalidArgument, "hyper_parameters.weight_decay" },
        { "validation_fold 5", StatusCode.InvalidArgument, "hyper_parameters.validation_fold" },
        { "validation_fold negative", StatusCode.InvalidArgument, "hyper_parameters.validation_fold" },
        { "max_train_windows 0", StatusCode.InvalidArgument, "hyper_parameters.max_train_windows" },
        { "max_validation_windows 0", StatusCode.InvalidArgument, "hyper_parameters.max_validation_windows" },
        { "fine_tune_epochs negative", StatusCode.InvalidArgument, "hyper_parameters.fine_tune_epochs" },
        { "fine_tune_min_votes 0", StatusCode.InvalidArgument, "hyper_parameters.fine_tune_min_votes" },
        { "data_folder ..", StatusCode.InvalidArgument, "data_folder" },
        { "data_folder absolute outside", StatusCode.InvalidArgument, "data_folder" },
        { "data_folder symlink out", StatusCode.InvalidArgument, "data_folder" },
        { "data_folder missing", StatusCode.NotFound, "data_folder" },
        { "data_folder without train.csv", StatusCode.FailedPrecondition, "data_folder" },
        { "data_folder without train_spectrograms", StatusCode.FailedPrecondition, "data_folder" },
        { "data_folder with spectrograms linked out", StatusCode.InvalidArgument, "data_folder" },
        { "input_kind out of range", StatusCode.InvalidArgument, "input_kind" },
        { "input_kind negative", StatusCode.InvalidArgument, "input_kind" },
        { "eeg data_folder without train_eegs", StatusCode.FailedPrecondition, "data_folder" },
    };

    private static StartRunRequest BadStart(string name)
    {
        var request = TestRuns.Tiny();
        var p = request.HyperParameters;
        switch (name)
        {
            case "model unspecified": request.Model = ModelArchitecture.Unspecified; break;
            case "model out of range": request.Model = (ModelArchitecture)42; break;
            case "unknown profile": request.Profile = "turbo"; break;
            case "epochs 0": p.Epochs = 0; break;
            case "epochs negative": p.Epochs = -3; break;
            case "batch_size 0": p.BatchSize = 0; break;
            case "learning_rate 0": p.LearningRate = 0; break;
            case "learning_rate NaN": p.LearningRate = double.NaN; break;
            case "learning_rate infinite": p.LearningRate = double.PositiveInfinity; break;
            case "weight_decay negative": p.WeightDecay = -0.1; break;
            case "weight_decay NaN": p.WeightDecay = double.NaN; break;
            case "validation_fold 5": p.ValidationFold = 5; break;
            case "validation_fold negative": p.ValidationFold = -1; break;
            case "max_train_windows 0": p.MaxTrainWindows = 0; break;
            case "max_validation_windows 0": p.MaxValidationWindows = 0; break;
            case "fine_tune_epochs negative": p.FineTuneEpochs = -1; break;
            case "fine_tune_min_votes 0": p.FineTuneMinVotes = 0; break;
            case "data_folder ..": request.DataFolder = "../"; break;
            case "data_folder absolute outside": request.DataFolder = "/etc"; break;
            case "data_folder symlink out": request.DataFolder = SyntheticData.Escape; break;
            case "data_folder missing": request.DataFolder = "no-such-folder"; break;
            case "data_folder without train.csv": request.DataFolder = SyntheticData.Empty; break;
            case "data_folder without train_spectrograms": request.DataFolder = SyntheticData.NoSpectrograms; break;
            case "data_folder with spectrograms linked out": request.DataFolder = SyntheticData.LinkedOut; break;
            case "input_kind out of range": request.InputKind = (ModelInputKind)7; break;
            case "input_kind negative": request.InputKind = (ModelInputKind)(-1); break;
            case "eeg data_folder without train_eegs":
                request.InputKind = ModelInputKind.Eeg;
                request.DataFolder = SyntheticData.NoSpectrograms;
                break;
            default: throw new ArgumentOutOfRangeException(nameof(name), name, "no such case");
        }
        return request;
    }

    [Theory]
    [MemberData(nameof(BadStarts))]
    public async Task StartRunRefusesABadRequestNamingTheFieldAndQueuesNothing(string name, StatusCode code, string field)
    {
        var error = await TestRuns.RejectedAsync(() => _host.Client.StartRunAsync(BadStart(name)).ResponseAsync);

        Assert.Equal(code, error.StatusCode);
        Assert.StartsWith(field + ":", error.Status.Detail);
        Assert.DoesNotContain('\n', error.Status.Detail);
        // Still up, and nothing was queued.
        Assert.Empty((await _host.Client.ListRunsAsync(new ListRunsRequest())).Runs);
    }

    [Fact]
    public async Task ABadInputKindIsRefusedNamingTheValueAndTheKnownKinds()
    {
        var request = TestRuns.Tiny();
        request.InputKind = (ModelInputKind)7;

        var error = await TestRuns.RejectedAsync(() => _host.Client.StartRunAsync(request).ResponseAsync);

        Assert.Equal("input_kind: unknown value 7 (MODEL_INPUT_KIND_SPECTROGRAM or MODEL_INPUT_KIND_EEG; unspecified = spectrogram)", error.Status.Detail);
    }

    [Fact]
    public async Task AnEegRunOnAFolderWithoutTrainEegsSaysWhatItNeeds()
    {
        var request = TestRuns.Tiny(dataFolder: SyntheticData.NoSpectrograms, inputKind: ModelInputKind.Eeg);

        var error = await TestRuns.RejectedAsync(() => _host.Client.StartRunAsync(request).ResponseAsync);

        Assert.Equal($"data_folder: '{SyntheticData.NoSpectrograms}' has no train_eegs (a Kaggle-format folder needs train.csv, and train_eegs/ for an EEG run)",
            error.Status.Detail);
    }

    [Fact]
    public async Task AnEfficientNetRunOnAnAbsoluteDataFolderInsideTheRootIsAccepted()
    {
        var request = TestRuns.Tiny(dataFolder: SyntheticData.Root, epochs: 50);
        request.Model = ModelArchitecture.EfficientnetV2B2;

        var run = await _host.Client.StartRunAsync(request);
        var cancelled = await _host.Client.CancelRunAsync(new CancelRunRequest { RunId = run.RunId });

        Assert.Equal(ModelArchitecture.EfficientnetV2B2, run.Model);
        Assert.Equal(".", run.DataFolder);
        Assert.Equal(RunState.Cancelled, cancelled.State);
        Assert.Equal(ModelArchitecture.EfficientnetV2B2, cancelled.Model);
    }

    [Fact]
    public async Task UnknownRunIdsAreNotFoundAndEmptyOnesInvalid()
    {
        foreach (var call in new Func<string, Task>[]
                 {
                     id => _host.Client.GetRunAsync(new GetRunRequest { RunId = id }).ResponseAsync,
                     id => _host.Client.CancelRunAsync(new CancelRunRequest { RunId = id }).ResponseAsync,
                     id => TestRuns.WatchToEndAsync(_host.Client, id),
                 })
        {
            var unknown = await TestRuns.RejectedAsync(() => call("run-nope"));
            Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
            Assert.StartsWith("run_id:", unknown.Status.Detail);

            var empty = await TestRuns.RejectedAsync(() => call(""));
            Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
            Assert.StartsWith("run_id:", empty.Status.Detail);
        }
        Assert.Empty((await _host.Client.ListRunsAsync(new ListRunsRequest())).Runs);
    }

    [Fact]
    public async Task ListRunsRefusesANegativeLimit()
    {
        var error = await TestRuns.RejectedAsync(() => _host.Client.ListRunsAsync(new ListRunsRequest { Limit = -1 }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("limit:", error.Status.Detail);
        Assert.Empty((await _host.Client.ListRunsAsync(new ListRunsRequest())).Runs);
    }
}
