using Google.Protobuf;
using Grpc.Core;
using Hbac.Contracts;
using Hbac.Contracts.Streaming;
using Hbac.Contracts.V1;
using HbacAspire.IntegrationTests.Support;

namespace HbacAspire.IntegrationTests;

/// <summary>
/// Bad requests against the real service processes: each gets its documented status code with a
/// message naming the field, and the same process (same PID) answers a good request right after.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class BadRequestTests(StackFixture stack)
{
    [Fact]
    public async Task InferenceNamesTheBadFieldWithInvalidArgument()
    {
        var inference = stack.Inference;
        await RefusedAsync("inference", StatusCode.InvalidArgument, "tensor.shape",
            () => inference.ScoreAsync(new ScoreRequest { Tensor = Tensor.FromFloats([3, 400, 299], new float[3 * 400 * 299]) }).ResponseAsync);
        await RefusedAsync("inference", StatusCode.InvalidArgument, "tensor.data",
            () => inference.ScoreAsync(new ScoreRequest { Tensor = new Tensor { Shape = { 3, 400, 300 }, Data = ByteString.CopyFrom(new byte[12]) } }).ResponseAsync);
        var withNaN = new float[ModelInput.ElementCount];
        withNaN[123] = float.NaN;
        await RefusedAsync("inference", StatusCode.InvalidArgument, "tensor.data",
            () => inference.ScoreAsync(new ScoreRequest { Tensor = Tensor.FromFloats([3, 400, 300], withNaN) }).ResponseAsync);
        await RefusedAsync("inference", StatusCode.InvalidArgument, "window.offset_seconds",
            () => inference.ScoreAsync(new ScoreRequest { Window = new SpectrogramWindow { SpectrogramId = stack.Data.SpectrogramId(), OffsetSeconds = -2 } }).ResponseAsync);
        await RefusedAsync("inference", StatusCode.InvalidArgument, "window.spectrogram_id",
            () => inference.ScoreAsync(new ScoreRequest { Window = new SpectrogramWindow { SpectrogramId = "../../etc/passwd" } }).ResponseAsync);
        await RefusedAsync("inference", StatusCode.InvalidArgument, "input",
            () => inference.ScoreAsync(new ScoreRequest()).ResponseAsync);
        await RefusedAsync("inference", StatusCode.InvalidArgument, "items",
            () => inference.ScoreBatchAsync(new ScoreBatchRequest()).ResponseAsync);
        await RefusedAsync("inference", StatusCode.InvalidArgument, "items[1].tensor.shape",
            () => inference.ScoreBatchAsync(new ScoreBatchRequest
            {
                Items = { new ScoreRequest { Tensor = ZeroInput() }, new ScoreRequest { Tensor = Tensor.FromFloats([1, 2], [0f, 0f]) } },
            }).ResponseAsync);
        await RefusedAsync("inference", StatusCode.InvalidArgument, "version",
            () => inference.ActivateModelAsync(new ActivateModelRequest()).ResponseAsync);
    }

    [Fact]
    public async Task InferenceRefusesBrokenEegChunksWithInvalidArgument()
    {
        var good = EegChunks.Create(stack.Data.TestEeg(), 0, EegStream.SampleRateHz, SampleLayout.Interleaved);
        // One sample of 19 channels: 19 values, not a multiple of 20.
        var nineteenChannels = new EegChunk { Layout = SampleLayout.Interleaved, Samples = { new float[19] } };
        var noLayout = new EegChunk { Samples = { good.Samples } };
        var empty = new EegChunk { Layout = SampleLayout.ChannelMajor };
        foreach (var (chunks, field) in new[]
                 {
                     (new[] { good, nineteenChannels }, "chunk.samples"),
                     (new[] { noLayout }, "chunk.layout"),
                     (new[] { good, empty }, "chunk.samples"),
                 })
        {
            await RefusedAsync("inference", StatusCode.InvalidArgument, field, async () =>
            {
                await using var session = new EegStreamSession(stack.Inference);
                throw await session.RefusedAsync(chunks);
            });
        }
    }

    [Fact]
    public async Task NaNSamplesMarkMissingSignalAndStillGetValidDistributions()
    {
        // The contract: NaN marks a missing sample; a stream with a gap is scored, not refused.
        var channels = SyntheticData.Looped(stack.Data.TestEeg(), 52);
        foreach (var channel in channels)
        {
            // Inside both windows' scored segments (20-30 s and 22-32 s).
            channel.AsSpan(25 * EegStream.SampleRateHz, 2 * EegStream.SampleRateHz).Fill(float.NaN);
        }
        await using var session = new EegStreamSession(stack.Inference, channels);
        await session.SendAsync(52);
        await session.CompleteAsync();
        Assert.Equal(new[] { 50.0, 52.0 }, session.Replies.Select(r => r.WindowEndSeconds));
        Assert.All(session.Replies, r => Distributions.AssertValid(r.Probabilities, r.TopClass, $"window ending at {r.WindowEndSeconds} s with a 2-s gap"));
    }

    [Fact]
    public async Task InferenceAnswersNotFoundForUnknownSpectrogramsAndVersions()
    {
        await RefusedAsync("inference", StatusCode.NotFound, "spectrogram_id",
            () => stack.Inference.ScoreAsync(new ScoreRequest { Window = new SpectrogramWindow { SpectrogramId = "999999999" } }).ResponseAsync);
        await RefusedAsync("inference", StatusCode.NotFound, "items[0].window.spectrogram_id",
            () => stack.Inference.ScoreBatchAsync(new ScoreBatchRequest
            {
                Items = { new ScoreRequest { Window = new SpectrogramWindow { SpectrogramId = "999999999" } } },
            }).ResponseAsync);
        await RefusedAsync("inference", StatusCode.NotFound, "version",
            () => stack.Inference.ActivateModelAsync(new ActivateModelRequest { Version = "19990101-000000-never-published" }).ResponseAsync);
    }

    [Fact]
    public async Task InferenceAnswersResourceExhaustedOverItsLimits()
    {
        // More items than MaxBatchItems (64): refused before any item is read.
        var batch = new ScoreBatchRequest();
        batch.Items.AddRange(Enumerable.Range(0, 65).Select(_ => new ScoreRequest()));
        await RefusedAsync("inference", StatusCode.ResourceExhausted, "items", () => stack.Inference.ScoreBatchAsync(batch).ResponseAsync);

        // A message over the 32 MB receive limit: gRPC's own refusal.
        var huge = new Tensor { Shape = { 3, 400, 300 }, Data = ByteString.CopyFrom(new byte[33 * 1024 * 1024]) };
        await RefusedAsync("inference", StatusCode.ResourceExhausted, "",
            () => stack.Inference.ScoreAsync(new ScoreRequest { Tensor = huge }).ResponseAsync);

        // A stream faster than its rate limit (100 000 samples/s, one second's burst): 101 000 samples at once.
        var channels = Enumerable.Range(0, EegStream.ChannelCount).Select(_ => new float[101_000]).ToArray();
        var flood = EegChunks.Create(channels, 0, 101_000, SampleLayout.ChannelMajor);
        await RefusedAsync("inference", StatusCode.ResourceExhausted, "chunk", async () =>
        {
            await using var session = new EegStreamSession(stack.Inference);
            throw await session.RefusedAsync(flood);
        });
    }

    [Fact]
    public async Task PreprocessingAnswersResourceExhaustedForAnUploadOverItsLimit()
    {
        // MaxUploadBytes is 64 MB; the gRPC receive limit is that plus 64 KB for the other fields.
        var content = ByteString.CopyFrom(new byte[65 * 1024 * 1024]);
        await RefusedAsync("preprocessing", StatusCode.ResourceExhausted, "",
            () => stack.Preprocessing.ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Content = content, FileName = "huge.parquet" }).ResponseAsync);
    }

    [Fact]
    public async Task PreprocessingConfinesPathsToTheDataRoot()
    {
        var preprocessing = stack.Preprocessing;
        var outside = Path.Combine(stack.Data.Folder, "escape.parquet");
        if (!File.Exists(outside))
        {
            File.CreateSymbolicLink(outside, "/etc/hostname");
        }
        foreach (var path in new[] { "../" + Path.GetFileName(stack.Data.Folder) + "-other/x.parquet", "/etc/hostname", "escape.parquet" })
        {
            await RefusedAsync("preprocessing", StatusCode.InvalidArgument, "path",
                () => preprocessing.ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Path = path }).ResponseAsync);
        }
        await RefusedAsync("preprocessing", StatusCode.InvalidArgument, "folder",
            () => ReadAllAsync(preprocessing.PrepareDataset(new PrepareDatasetRequest { Folder = "../.." })));
    }

    [Fact]
    public async Task PreprocessingNamesBadFieldsAndMissingThings()
    {
        var preprocessing = stack.Preprocessing;
        await RefusedAsync("preprocessing", StatusCode.InvalidArgument, "source",
            () => preprocessing.ConvertSpectrogramAsync(new ConvertSpectrogramRequest()).ResponseAsync);
        await RefusedAsync("preprocessing", StatusCode.InvalidArgument, "upload.parquet",
            () => preprocessing.ConvertSpectrogramAsync(new ConvertSpectrogramRequest
            {
                Content = ByteString.CopyFromUtf8("not a parquet file"), FileName = "upload.parquet",
            }).ResponseAsync);
        await RefusedAsync("preprocessing", StatusCode.InvalidArgument, "offset_seconds",
            () => preprocessing.GetWindowAsync(new GetWindowRequest { SpectrogramId = stack.Data.SpectrogramId(), OffsetSeconds = -1 }).ResponseAsync);
        await RefusedAsync("preprocessing", StatusCode.InvalidArgument, "max_files",
            () => ReadAllAsync(preprocessing.PrepareDataset(new PrepareDatasetRequest { Folder = ".", MaxFiles = -1 })));
        await RefusedAsync("preprocessing", StatusCode.InvalidArgument, "chunk.layout", async () =>
        {
            using var call = preprocessing.StreamSpectrogram();
            await call.RequestStream.WriteAsync(new StreamSpectrogramRequest { Chunk = new EegChunk { Samples = { new float[20] } } });
            await call.RequestStream.CompleteAsync();
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
            {
            }
        });

        await RefusedAsync("preprocessing", StatusCode.NotFound, "path",
            () => preprocessing.ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Path = "train_spectrograms/404.parquet" }).ResponseAsync);
        await RefusedAsync("preprocessing", StatusCode.NotFound, "spectrogram_id",
            () => preprocessing.GetWindowAsync(new GetWindowRequest { SpectrogramId = "404" }).ResponseAsync);
        await RefusedAsync("preprocessing", StatusCode.NotFound, "folder",
            () => ReadAllAsync(preprocessing.PrepareDataset(new PrepareDatasetRequest { Folder = "no-such-folder" })));
    }

    [Fact]
    public async Task TrainingNamesBadFieldsAndUnknownRunsAndQueuesNothingItRefused()
    {
        var training = new Training.TrainingClient(stack.AppHost.Channel("training"));
        var mobilenet = ModelArchitecture.MobilenetV3Large;
        await RefusedAsync("training", StatusCode.InvalidArgument, "model",
            () => training.StartRunAsync(new StartRunRequest { Profile = "quick" }).ResponseAsync);
        await RefusedAsync("training", StatusCode.InvalidArgument, "profile",
            () => training.StartRunAsync(new StartRunRequest { Model = mobilenet, Profile = "no-such-profile" }).ResponseAsync);
        await RefusedAsync("training", StatusCode.InvalidArgument, "hyper_parameters.epochs",
            () => training.StartRunAsync(new StartRunRequest { Model = mobilenet, HyperParameters = new HyperParameters { Epochs = 0 } }).ResponseAsync);
        await RefusedAsync("training", StatusCode.InvalidArgument, "hyper_parameters.learning_rate",
            () => training.StartRunAsync(new StartRunRequest { Model = mobilenet, HyperParameters = new HyperParameters { LearningRate = double.NaN } }).ResponseAsync);
        await RefusedAsync("training", StatusCode.InvalidArgument, "data_folder",
            () => training.StartRunAsync(new StartRunRequest { Model = mobilenet, DataFolder = "../.." }).ResponseAsync);
        await RefusedAsync("training", StatusCode.NotFound, "data_folder",
            () => training.StartRunAsync(new StartRunRequest { Model = mobilenet, DataFolder = "no-such-folder" }).ResponseAsync);
        // A folder that exists but is not a Kaggle training folder (no train.csv).
        await RefusedAsync("training", StatusCode.FailedPrecondition, "data_folder",
            () => training.StartRunAsync(new StartRunRequest { Model = mobilenet, DataFolder = "test_eegs" }).ResponseAsync);
        await RefusedAsync("training", StatusCode.InvalidArgument, "limit",
            () => training.ListRunsAsync(new ListRunsRequest { Limit = -1 }).ResponseAsync);
        await RefusedAsync("training", StatusCode.NotFound, "run_id",
            () => training.GetRunAsync(new GetRunRequest { RunId = "no-such-run" }).ResponseAsync);
        await RefusedAsync("training", StatusCode.NotFound, "run_id",
            () => training.CancelRunAsync(new CancelRunRequest { RunId = "no-such-run" }).ResponseAsync);
        await RefusedAsync("training", StatusCode.NotFound, "run_id", async () =>
        {
            using var watch = training.WatchRun(new WatchRunRequest { RunId = "no-such-run", Replay = true });
            await foreach (var _ in watch.ResponseStream.ReadAllAsync())
            {
            }
        });
        Assert.Empty((await training.ListRunsAsync(new ListRunsRequest())).Runs); // --job none, and no refused request was queued
    }

    private static Tensor ZeroInput() => Tensor.FromFloats([3, 400, 300], new float[ModelInput.ElementCount]);

    private static async Task ReadAllAsync<T>(AsyncServerStreamingCall<T> call)
    {
        using (call)
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
            {
            }
        }
    }

    /// <summary>
    /// The call fails with <paramref name="code"/> and a message containing <paramref name="field"/>;
    /// then the same process (PID from Aspire's resource snapshot) answers a good request.
    /// </summary>
    private async Task RefusedAsync(string service, StatusCode code, string field, Func<Task> call)
    {
        var pid = stack.AppHost.ServicePid(service);
        var refused = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(refused.StatusCode == code && refused.Status.Detail.Contains(field, StringComparison.Ordinal),
            $"{service}: expected {code} naming '{field}', got {refused.StatusCode}: {refused.Status.Detail}");
        await AnswersAGoodRequestAsync(service);
        Assert.True(pid == stack.AppHost.ServicePid(service), $"{service} was restarted after a bad request ({code} '{field}')");
        Assert.Equal(0, stack.AppHost.Restarts(service));
    }

    private async Task AnswersAGoodRequestAsync(string service)
    {
        switch (service)
        {
            case "inference":
                var scored = await stack.Inference.ScoreAsync(new ScoreRequest { Tensor = ZeroInput() });
                Distributions.AssertValid(scored.Probabilities, scored.TopClass, "the good request after a bad one");
                break;
            case "preprocessing":
                var converted = await stack.Preprocessing.ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Path = stack.Data.SpectrogramPath() });
                Assert.True(converted.TimeColumns > 0);
                break;
            case "training":
                await new Training.TrainingClient(stack.AppHost.Channel("training")).ListRunsAsync(new ListRunsRequest());
                break;
            default:
                throw new ArgumentException($"no good request for {service}", nameof(service));
        }
    }
}
