using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Hbac.Contracts.V1;
using Hbac.Learning.Models;
using Hbac.Learning.Training;
using Hbac.Onnx;
using Hbac.Training.Runs;
using HbacAspire.ServiceDefaults.Requests;
using InputKind = Hbac.Onnx.ModelInputKind;
using ProtoInputKind = Hbac.Contracts.V1.ModelInputKind;

namespace Hbac.Training.Grpc;

/// <summary>The hbac.v1.Training service: maps requests to the run registry and runs' updates to RunEvents.</summary>
public sealed class TrainingService(ITrainingRuns runs) : Contracts.V1.Training.TrainingBase
{
    /// <summary>ListRuns' limit when the request leaves it 0.</summary>
    public const int DefaultListLimit = 50;

    /// <summary>How long CancelRun waits for a running run to stop between two steps before answering.</summary>
    public static readonly TimeSpan CancelWait = TimeSpan.FromSeconds(30);

    public override Task<RunInfo> StartRun(StartRunRequest request, ServerCallContext context) => Guard(() =>
    {
        var run = runs.Start(new RunRequest(ModelName(request.Model), request.Profile, ToOverrides(request.HyperParameters),
            request.DataFolder, request.Description, ToKind(request.InputKind)));
        return Task.FromResult(ToProto(run.Snapshot()));
    });

    public override Task WatchRun(WatchRunRequest request, IServerStreamWriter<RunEvent> responseStream, ServerCallContext context) => Guard(async () =>
    {
        var run = runs.Get(request.RunId);
        var updates = run.Watch(request.Replay, context.CancellationToken);
        // Headers go out once the watch has its position: a client that awaits them knows no later event is missed.
        await context.WriteResponseHeadersAsync([]);
        // A cancellation is not caught: the watcher left (Cancelled) or the service is stopping (the
        // stream interceptor makes that Unavailable), so a stream only ends OK after RunFinished.
        await foreach (var update in updates)
        {
            await responseStream.WriteAsync(ToProto(run.Id, update), context.CancellationToken);
        }
        return true;
    });

    public override Task<ListRunsResponse> ListRuns(ListRunsRequest request, ServerCallContext context) => Guard(() =>
    {
        if (request.Limit < 0)
        {
            throw new RequestRejectedException(Rejection.InvalidArgument, $"limit: {request.Limit} must be >= 0 (0 = {DefaultListLimit})");
        }
        var limit = request.Limit == 0 ? DefaultListLimit : request.Limit;
        return Task.FromResult(new ListRunsResponse { Runs = { runs.List(limit).Select(r => ToProto(r.Snapshot())) } });
    });

    public override Task<RunInfo> GetRun(GetRunRequest request, ServerCallContext context) =>
        Guard(() => Task.FromResult(ToProto(runs.Get(request.RunId).Snapshot())));

    public override Task<RunInfo> CancelRun(CancelRunRequest request, ServerCallContext context) => Guard(async () =>
    {
        var run = await runs.CancelAsync(request.RunId, CancelWait, context.CancellationToken);
        return ToProto(run.Snapshot());
    });

    private static async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RequestRejectedException rejected)
        {
            throw rejected.ToRpcException();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The data root or repository could not be read: nothing the request can fix by itself.
            throw new RpcException(new Status(StatusCode.FailedPrecondition, Execution.RunExecutor.OneLine(e)));
        }
    }

    private static string? ModelName(ModelArchitecture model) => model switch
    {
        ModelArchitecture.Unspecified => null,
        ModelArchitecture.MobilenetV3Large => MobileNetV3Large.CatalogId,
        ModelArchitecture.EfficientnetV2B2 => EfficientNetV2B2.CatalogId,
        _ => throw new RequestRejectedException(Rejection.InvalidArgument, $"model: unknown value {(int)model}"),
    };

    private static ModelArchitecture ToProto(string model) => model switch
    {
        MobileNetV3Large.CatalogId => ModelArchitecture.MobilenetV3Large,
        EfficientNetV2B2.CatalogId => ModelArchitecture.EfficientnetV2B2,
        _ => ModelArchitecture.Unspecified,
    };

    // UNSPECIFIED is the seed's input (spectrograms), so clients written before input kinds keep their meaning.
    private static InputKind ToKind(ProtoInputKind kind) => kind switch
    {
        ProtoInputKind.Unspecified or ProtoInputKind.Spectrogram => InputKind.Spectrogram,
        ProtoInputKind.Eeg => InputKind.Eeg,
        _ => throw new RequestRejectedException(Rejection.InvalidArgument,
            $"input_kind: unknown value {(int)kind} (MODEL_INPUT_KIND_SPECTROGRAM or MODEL_INPUT_KIND_EEG; unspecified = spectrogram)"),
    };

    private static ProtoInputKind ToProto(InputKind kind) => kind == InputKind.Eeg ? ProtoInputKind.Eeg : ProtoInputKind.Spectrogram;

    private static TrainingOverrides ToOverrides(HyperParameters? p) => p is null
        ? new TrainingOverrides()
        : new TrainingOverrides
        {
            Epochs = p.HasEpochs ? p.Epochs : null,
            BatchSize = p.HasBatchSize ? p.BatchSize : null,
            PeakLearningRate = p.HasLearningRate ? p.LearningRate : null,
            WeightDecay = p.HasWeightDecay ? p.WeightDecay : null,
            Seed = p.HasSeed ? p.Seed : null,
            Fold = p.HasValidationFold ? p.ValidationFold : null,
            MaxTrainWindows = p.HasMaxTrainWindows ? p.MaxTrainWindows : null,
            MaxValidationWindows = p.HasMaxValidationWindows ? p.MaxValidationWindows : null,
            FineTuneEpochs = p.HasFineTuneEpochs ? p.FineTuneEpochs : null,
            FineTuneMinVotes = p.HasFineTuneMinVotes ? p.FineTuneMinVotes : null,
        };

    private static HyperParameters ToProto(TrainingOptions o)
    {
        var p = new HyperParameters
        {
            Epochs = o.Epochs,
            BatchSize = o.BatchSize,
            LearningRate = o.PeakLearningRate,
            WeightDecay = o.WeightDecay,
            Seed = o.Seed,
            ValidationFold = o.Fold,
            FineTuneEpochs = o.FineTuneEpochs,
            FineTuneMinVotes = o.FineTuneMinVotes,
        };
        if (o.MaxTrainWindows is { } train)
        {
            p.MaxTrainWindows = train;
        }
        if (o.MaxValidationWindows is { } validation)
        {
            p.MaxValidationWindows = validation;
        }
        return p;
    }

    private static RunInfo ToProto(RunSnapshot run)
    {
        var info = new RunInfo
        {
            RunId = run.Id,
            State = ToProto(run.Status),
            Model = ToProto(run.Plan.Model),
            Profile = run.Plan.Profile,
            HyperParameters = ToProto(run.Options),
            DataFolder = run.Plan.DataFolderName,
            Description = run.Plan.Description,
            CreatedAt = Timestamp.FromDateTimeOffset(run.CreatedAt),
            Epoch = run.Epoch,
            Epochs = run.Epochs,
            BestValidationLoss = run.BestValidationLoss,
            ModelVersion = run.ModelVersion ?? "",
            Error = run.Error ?? "",
            InputKind = ToProto(run.Plan.Kind),
        };
        if (run.StartedAt is { } started)
        {
            info.StartedAt = Timestamp.FromDateTimeOffset(started);
        }
        if (run.FinishedAt is { } finished)
        {
            info.FinishedAt = Timestamp.FromDateTimeOffset(finished);
        }
        return info;
    }

    private static RunState ToProto(RunStatus status) => status switch
    {
        RunStatus.Queued => RunState.Queued,
        RunStatus.Running => RunState.Running,
        RunStatus.Succeeded => RunState.Succeeded,
        RunStatus.Failed => RunState.Failed,
        RunStatus.Cancelled => RunState.Cancelled,
        _ => RunState.Unspecified,
    };

    private static RunEvent ToProto(string runId, RunUpdate update)
    {
        var runEvent = new RunEvent { RunId = runId, Sequence = update.Sequence, Time = Timestamp.FromDateTimeOffset(update.Time) };
        switch (update)
        {
            case RunUpdate.Started s:
                runEvent.Started = new RunStarted
                {
                    Epochs = s.Epochs, StepsPerEpoch = s.StepsPerEpoch, TrainSamples = s.TrainSamples,
                    ValidationSamples = s.ValidationSamples, Device = s.Device,
                    FineTuneEpochs = s.FineTuneEpochs, FineTuneSamples = s.FineTuneSamples, FineTuneStepsPerEpoch = s.FineTuneStepsPerEpoch,
                };
                break;
            case RunUpdate.Steps s:
                runEvent.Step = new StepCompleted
                {
                    Epoch = s.Epoch, Step = s.Step, StepsPerEpoch = s.StepsPerEpoch, TrainLoss = s.TrainLoss,
                    LearningRate = s.LearningRate, SamplesPerSecond = s.SamplesPerSecond, Eta = Duration.FromTimeSpan(s.Eta),
                };
                break;
            case RunUpdate.EpochEnded e:
                runEvent.Epoch = new EpochCompleted
                {
                    Epoch = e.Epoch, Epochs = e.Epochs, TrainLoss = e.TrainLoss, ValidationLoss = e.ValidationLoss,
                    LearningRate = e.LearningRate, SamplesPerSecond = e.SamplesPerSecond,
                    Elapsed = Duration.FromTimeSpan(e.Elapsed), Eta = Duration.FromTimeSpan(e.Eta),
                };
                break;
            case RunUpdate.Finished f:
                runEvent.Finished = new RunFinished
                {
                    State = ToProto(f.Status), ModelVersion = f.ModelVersion ?? "", BestValidationLoss = f.BestValidationLoss,
                    Error = f.Error ?? "", Elapsed = Duration.FromTimeSpan(f.Elapsed),
                };
                break;
        }
        return runEvent;
    }
}
