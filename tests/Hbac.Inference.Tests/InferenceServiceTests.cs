using Grpc.Core;
using Hbac.Contracts.V1;
using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Spectrograms;
using Hbac.Inference.Tests.Support;
using Hbac.Onnx;
using Hbac.Inference.Scoring;
using Hbac.Inference.Streaming;
using Microsoft.Extensions.DependencyInjection;
using EegWindow = Hbac.Eeg.Windows.EegWindow;
using InputPooling = Hbac.Eeg.Windows.InputPooling;
using EegWindowStream = Hbac.Eeg.Windows.EegWindowStream;
using EegWindows = Hbac.Eeg.Windows.SpectrogramWindow;

namespace Hbac.Inference.Tests;

/// <summary>Every RPC in-process against a repository holding one valid spectrogram model "v1" and one EEG-window model "e1".</summary>
public sealed class InferenceServiceTests : IDisposable
{
    private static readonly TinyOnnxModel Model = TinyOnnxModel.Favouring(0);
    // Peak-pooled, so every window gets its own answer and a reply can be matched to the window it scored.
    private static readonly TinyOnnxModel EegModel = TinyOnnxModel.EegFavouring(3, pooling: "GlobalMaxPool");
    private readonly InferenceFactory _factory;
    private readonly Contracts.V1.Inference.InferenceClient _client;

    public InferenceServiceTests()
    {
        _factory = new InferenceFactory(repository =>
        {
            Model.Publish(repository, "v1");
            EegModel.Publish(repository, "e1");
        }, new Dictionary<string, string>
        {
            ["Hbac:MaxBatchItems"] = "4",
            ["Hbac:StreamMaxSamplesPerSecond"] = "100000",
        });
        _client = new Contracts.V1.Inference.InferenceClient(_factory.CreateChannel());
    }

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task ScoreATensorReturnsTheModelsDistribution()
    {
        var response = await _client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(0.5f, -1f, 2f) });

        var expected = Model.Expected([0.5f, -1f, 2f]);
        Inputs.AssertProbabilities(expected, response.Probabilities);
        Assert.Equal("v1", response.ModelVersion);
        Assert.Equal(EegClass.Seizure, response.TopClass);
    }

    [Fact]
    public async Task ScoreAcceptsALeadingBatchOfOne()
    {
        var tensor = Tensor.FromFloats([1, 3, 400, 300], Inputs.Constant(1f, 1f, 1f));

        var response = await _client.ScoreAsync(new ScoreRequest { Tensor = tensor });

        Inputs.AssertProbabilities(Model.Expected([1f, 1f, 1f]), response.Probabilities);
    }

    [Theory]
    [InlineData(new[] { 400, 300 })]
    [InlineData(new[] { 1, 400, 300 })]
    [InlineData(new[] { 1, 1, 400, 300 })]
    public async Task ScoreRepeatsAPlaneOnTheThreeChannels(int[] shape)
    {
        // A full tensor first leaves other values in the service's pooled input, which a plane must overwrite on every channel.
        await _client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(2f, -1f, 0.5f) });

        var response = await _client.ScoreAsync(new ScoreRequest { Tensor = Tensor.FromFloats(shape, Inputs.Constant(0.7f, 0.7f, 0.7f).AsSpan(0, 120_000)) });

        Inputs.AssertProbabilities(Model.Expected([0.7f, 0.7f, 0.7f]), response.Probabilities);
    }

    [Fact]
    public async Task ScoreBatchTakesPlanesAndFullInputsTogether()
    {
        var plane = Tensor.FromFloats([400, 300], Inputs.Constant(-0.3f, 0, 0).AsSpan(0, 120_000));

        var response = await _client.ScoreBatchAsync(new ScoreBatchRequest { Items = { new ScoreRequest { Tensor = Inputs.Tensor(1f, 0f, 2f) }, new ScoreRequest { Tensor = plane } } });

        Inputs.AssertProbabilities(Model.Expected([1f, 0f, 2f]), response.Results[0].Probabilities);
        Inputs.AssertProbabilities(Model.Expected([-0.3f, -0.3f, -0.3f]), response.Results[1].Probabilities);
    }

    [Theory]
    [InlineData(new[] { 2, 400, 300 }, "tensor.shape: [2, 400, 300], expected the model input [3, 400, 300] or [1, 3, 400, 300], or its plane [400, 300]")]
    [InlineData(new[] { 400, 299 }, "tensor.shape: [400, 299]")]
    [InlineData(new[] { 2, 1, 400, 300 }, "tensor.shape: [2, 1, 400, 300]")]
    public async Task ScoreRefusesAShapeThatIsNeitherInputNorPlane(int[] shape, string message)
    {
        var tensor = Tensor.FromFloats(shape, new float[shape.Aggregate(1, (a, b) => a * b)]);

        var error = await Assert.ThrowsAsync<RpcException>(() => _client.ScoreAsync(new ScoreRequest { Tensor = tensor }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(message, error.Status.Detail);
    }

    [Fact]
    public async Task ScoreNamesTheIndexOfABadValueInAPlane()
    {
        var values = new float[120_000];
        values[1234] = float.PositiveInfinity;

        var error = await Assert.ThrowsAsync<RpcException>(() => _client.ScoreAsync(new ScoreRequest { Tensor = Tensor.FromFloats([400, 300], values) }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("tensor.data[1234]: Infinity is outside", error.Status.Detail);
    }

    [Theory]
    [InlineData("shape", "tensor.shape")]
    [InlineData("data", "tensor.data")]
    [InlineData("nan", "tensor.data")]
    [InlineData("none", "input")]
    public async Task ScoreRejectsABadInputNamingTheField(string defect, string field)
    {
        var request = defect switch
        {
            "shape" => new ScoreRequest { Tensor = Tensor.FromFloats([3, 224, 224], new float[3 * 224 * 224]) },
            "data" => new ScoreRequest { Tensor = new Tensor { Shape = { 3, 400, 300 }, Data = Google.Protobuf.ByteString.CopyFrom(new byte[12]) } },
            "nan" => new ScoreRequest { Tensor = Inputs.Tensor(float.NaN, 0, 0) },
            _ => new ScoreRequest(),
        };

        var error = await Assert.ThrowsAsync<RpcException>(() => _client.ScoreAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field, error.Status.Detail);
        // The service stays up.
        Assert.Equal("v1", (await _client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(0, 0, 0) })).ModelVersion);
    }

    [Fact]
    public async Task ScoreASpectrogramWindowDecodesItAndCachesTheInput()
    {
        var spectrogram = WriteSpectrogram("train_spectrograms", "1234", columns: 320);

        var first = await _client.ScoreAsync(new ScoreRequest { Window = new SpectrogramWindow { SpectrogramId = "1234", OffsetSeconds = 30 } });
        var second = await _client.ScoreAsync(new ScoreRequest { Window = new SpectrogramWindow { SpectrogramId = "1234", OffsetSeconds = 31 } });

        var expected = Model.Expected(Inputs.ChannelMeans(EegWindows.Decode(spectrogram, 30)));
        Inputs.AssertProbabilities(expected, first.Probabilities);
        Assert.Equal(first.Probabilities, second.Probabilities);
        // 30 s and 31 s start at the same column: one miss, then a hit.
        Assert.Equal(1, _factory.Cache.Statistics.Misses);
        Assert.Equal(1, _factory.Cache.Statistics.Hits);
        // The preprocessing service's key for the same window: kind "window", offset snapped to 2 s.
        var key = Assert.Single(_factory.Cache.Keys);
        Assert.Matches("^hbac:tensor:v[0-9]+:window:[0-9a-f]{64}:offset=30$", key);
    }

    [Theory]
    [InlineData("999", 0, StatusCode.NotFound, "window.spectrogram_id")]
    [InlineData("../models/v1/model", 0, StatusCode.InvalidArgument, "window.spectrogram_id")]
    [InlineData("", 0, StatusCode.InvalidArgument, "window.spectrogram_id")]
    [InlineData("55", -2, StatusCode.InvalidArgument, "window.offset_seconds")]
    [InlineData("55", 10_000, StatusCode.InvalidArgument, "window.offset_seconds")]
    public async Task ScoreRejectsABadWindow(string id, double offset, StatusCode code, string field)
    {
        WriteSpectrogram("test_spectrograms", "55", columns: 300);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _client.ScoreAsync(new ScoreRequest { Window = new SpectrogramWindow { SpectrogramId = id, OffsetSeconds = offset } }).ResponseAsync);

        Assert.Equal(code, error.StatusCode);
        Assert.StartsWith(field, error.Status.Detail);
    }

    [Fact]
    public async Task ScoreBatchAnswersEveryItemInOrderWithOneVersion()
    {
        float[][] means = [[0, 0, 0], [1, 0, 0], [0, -2, 1]];
        var request = new ScoreBatchRequest();
        request.Items.AddRange(means.Select(m => new ScoreRequest { Tensor = Inputs.Tensor(m) }));

        var response = await _client.ScoreBatchAsync(request);

        Assert.Equal("v1", response.ModelVersion);
        Assert.Equal(3, response.Results.Count);
        for (var i = 0; i < means.Length; i++)
        {
            Inputs.AssertProbabilities(Model.Expected(means[i]), response.Results[i].Probabilities);
        }
    }

    [Fact]
    public async Task ScoreBatchRejectsEmptyOversizedAndBadItems()
    {
        var empty = await Assert.ThrowsAsync<RpcException>(() => _client.ScoreBatchAsync(new ScoreBatchRequest()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);

        var tooMany = new ScoreBatchRequest();
        tooMany.Items.AddRange(Enumerable.Range(0, 5).Select(_ => new ScoreRequest { Tensor = Tensor.FromFloats([1], [0f]) }));
        var exhausted = await Assert.ThrowsAsync<RpcException>(() => _client.ScoreBatchAsync(tooMany).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, exhausted.StatusCode);

        var bad = new ScoreBatchRequest { Items = { new ScoreRequest { Tensor = Inputs.Tensor(0, 0, 0) }, new ScoreRequest { Tensor = Tensor.FromFloats([2], [0f, 0f]) } } };
        var invalid = await Assert.ThrowsAsync<RpcException>(() => _client.ScoreBatchAsync(bad).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.StartsWith("items[1].tensor.shape", invalid.Status.Detail);
    }

    [Fact]
    public async Task StreamEegScoresEachFull50SecondWindowWithTheEegModelAndSaysWhichTenSecondsItDescribes()
    {
        using var call = _client.StreamEeg();
        var channels = Inputs.Eeg(55);
        // 1-s chunks, so each window is formed when its last second arrives.
        foreach (var request in Inputs.Chunks(channels, 200, SampleLayout.ChannelMajor))
        {
            await call.RequestStream.WriteAsync(request);
        }
        await call.RequestStream.CompleteAsync();
        var replies = new List<StreamEegResponse>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync())
        {
            replies.Add(reply);
        }

        // Nothing before the first full window; then one window per 2 s; each describes its centre 10 s.
        Assert.Equal([50.0, 52.0, 54.0], replies.Select(r => r.WindowEndSeconds));
        Assert.Equal([(20.0, 30.0), (22.0, 32.0), (24.0, 34.0)], replies.Select(r => (r.SegmentStartSeconds, r.SegmentEndSeconds)));
        Assert.Equal([20.0, 20.0, 20.0], replies.Select(r => r.LagSeconds));
        for (var i = 0; i < replies.Count; i++)
        {
            var reply = replies[i];
            Assert.Equal("e1", reply.ModelVersion);
            Assert.Equal(50, reply.WindowSeconds);
            Assert.Equal(reply.Probabilities.TopClass(), reply.TopClass);
            // The EEG model's answer on the offline preprocessing of exactly those 50 s.
            var input = EegWindow.Compute(channels, i * EegWindowStream.StepSamples);
            Inputs.AssertProbabilities(EegModel.Expected(Inputs.ChannelMaxima(input)), reply.Probabilities);
        }
    }

    [Fact]
    public async Task AnEegModelThatPoolsItsInputFirstIsStreamedPooledWindowsWithTheAnswersOfTheWholeWindows()
    {
        // The quick EEG profile's network starts with a 1 x 30 average pool: the service drops that node and the
        // stream forms 30x smaller inputs; the answers are the model's on the whole windows, offline, bit for bit.
        var pooledModel = new TinyOnnxModel(EegModel.Weights, EegModel.Bias, pooling: "GlobalMaxPool") { InputKind = "eeg", LeadingPool = (1, 30) };
        using var factory = new InferenceFactory(repository => pooledModel.Publish(repository, "pooled"),
            new Dictionary<string, string> { ["Hbac:StreamMaxSamplesPerSecond"] = "100000" });
        var client = new Contracts.V1.Inference.InferenceClient(factory.CreateChannel());
        var channels = Inputs.Eeg(55, seed: 11);
        using var call = client.StreamEeg();
        foreach (var request in Inputs.Chunks(channels, 333))
        {
            await call.RequestStream.WriteAsync(request);
        }
        await call.RequestStream.CompleteAsync();
        var replies = await call.ResponseStream.ReadAllAsync().ToListAsync();

        Assert.Equal([50.0, 52.0, 54.0], replies.Select(r => r.WindowEndSeconds));
        var path = Directory.GetFiles(factory.Repository, "model.onnx", SearchOption.AllDirectories).Single();
        using var offline = OnnxClassifier.Open(path);
        Assert.Equal(new InputPooling(1, 30), offline.Pooling);
        var inputs = factory.Services.GetRequiredService<WindowInputPool>();
        // The stream's one input array, given back after each window, is a pooled one (12,000 floats, not 360,000).
        Assert.Equal(1, inputs.Available);
        inputs.Rent(offline.InputSize);
        Assert.Equal(0, inputs.Available);
        for (var i = 0; i < replies.Count; i++)
        {
            var whole = EegWindow.Compute(channels, i * EegWindowStream.StepSamples);
            Assert.Equal(offline.Predict(whole.AsMemory(), 1)[0], replies[i].Probabilities.ToArray());
        }
        // Different windows, different answers: the pooled input reached the model.
        Assert.NotEqual(replies[0].Probabilities.ToArray(), replies[2].Probabilities.ToArray());
    }

    [Theory]
    [InlineData(6, 6, 398, 17)] // the quick spectrogram profile's: blocks leave the last 4 of 400 rows over
    [InlineData(8, 8, 17, 298)] // the profile's before stop 40: the last 4 of 300 columns
    public async Task ASpectrogramModelThatPoolsItsInputFirstIsScoredOnPooledWindowsWithTheAnswersOfTheWholeWindows(
        int rows, int columns, int uncoveredRow, int uncoveredColumn)
    {
        // The quick spectrogram profile's network starts with an average pool whose blocks leave rows or columns over:
        // the service drops that node and pools each Score input in C# as ONNX's floor rounding does.
        var pooledModel = new TinyOnnxModel(Model.Weights, Model.Bias, pooling: "GlobalMaxPool") { LeadingPool = (rows, columns) };
        using var factory = new InferenceFactory(repository => pooledModel.Publish(repository, "pooled"));
        var client = new Contracts.V1.Inference.InferenceClient(factory.CreateChannel());
        var path = Directory.GetFiles(factory.Repository, "model.onnx", SearchOption.AllDirectories).Single();
        using var offline = OnnxClassifier.Open(path);
        Assert.Equal(new InputPooling(rows, columns), offline.Pooling);
        var random = new Random(5);
        var plane = Enumerable.Range(0, 400 * 300).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var whole = Enumerable.Range(0, 3 * 400 * 300).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        // A peak where no block reaches changes nothing: the model (with its pool) never sees it either.
        plane[uncoveredRow * 300 + uncoveredColumn] = 30f;
        var planeInput = new float[3 * 400 * 300];
        for (var channel = 0; channel < 3; channel++)
        {
            plane.CopyTo(planeInput, channel * plane.Length);
        }
        var spectrogram = WriteSpectrogram(factory, "train_spectrograms", "88", columns: 320);

        var fromPlane = await client.ScoreAsync(new ScoreRequest { Tensor = Tensor.FromFloats([400, 300], plane) });
        var fromWhole = await client.ScoreAsync(new ScoreRequest { Tensor = Tensor.FromFloats([1, 3, 400, 300], whole) });
        var fromWindow = await client.ScoreAsync(new ScoreRequest { Window = new SpectrogramWindow { SpectrogramId = "88", OffsetSeconds = 20 } });
        var batch = new ScoreBatchRequest();
        batch.Items.Add(new ScoreRequest { Tensor = Tensor.FromFloats([3, 400, 300], whole) });
        batch.Items.Add(new ScoreRequest { Tensor = Tensor.FromFloats([1, 400, 300], plane) });
        var fromBatch = await client.ScoreBatchAsync(batch);

        // Bit for bit what the classifier answers offline on the whole inputs (it pools them with the same arithmetic) ...
        var expectedPlane = offline.Predict(planeInput.AsMemory(), 1)[0];
        var expectedWhole = offline.Predict(whole.AsMemory(), 1)[0];
        Assert.Equal(expectedPlane, fromPlane.Probabilities.ToArray());
        Assert.Equal(expectedWhole, fromWhole.Probabilities.ToArray());
        Assert.Equal(offline.Predict(EegWindows.Decode(spectrogram, 20).AsMemory(), 1)[0], fromWindow.Probabilities.ToArray());
        Assert.Equal([expectedWhole, expectedPlane], fromBatch.Results.Select(r => r.Probabilities.ToArray()));
        // ... and, to rounding, what ONNX Runtime answers running the file with its pool in place.
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(path);
        using var ortInput = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(planeInput, [1, 3, 400, 300]);
        using var ortOutput = session.Run(new Microsoft.ML.OnnxRuntime.RunOptions(), [session.InputNames[0]], [ortInput], [session.OutputNames[0]]);
        var withPool = ortOutput[0].GetTensorDataAsSpan<float>().ToArray();
        Inputs.AssertProbabilities(Softmax(withPool), fromPlane.Probabilities, tolerance: 1e-5f);
        Assert.NotEqual(fromPlane.Probabilities.ToArray(), fromWhole.Probabilities.ToArray());
        // The inputs the calls rented and gave back are pooled ones (3 x 66 x 50 floats for 6 x 6), not whole ones.
        var inputs = factory.Services.GetRequiredService<WindowInputPool>();
        var available = inputs.Available;
        Assert.True(available >= 1, $"{available} input arrays kept");
        for (var i = 0; i < available; i++)
        {
            Assert.Equal(3 * (400 / rows) * (300 / columns), inputs.Rent(offline.InputSize).Length);
        }
        Assert.Equal(0, inputs.Available);
    }

    [Theory]
    [InlineData(8, 8, 1, 1)]
    [InlineData(1, 2, 2, 1)] // pooled inputs of the same size (60,000 floats): no length error gives it away
    public async Task AScoreInputPooledForOneModelAndScoredByAModelWithAnotherIsFormedAgainForIt(int rows, int columns, int newRows, int newColumns)
    {
        // The pooled model's input waits at the (gated) model while a model with another pool (or none) is activated.
        var pooledModel = new TinyOnnxModel(Model.Weights, Model.Bias, pooling: "GlobalMaxPool") { LeadingPool = (rows, columns) };
        var newModel = new TinyOnnxModel(Model.Weights, Model.Bias, pooling: "GlobalMaxPool")
        {
            LeadingPool = newRows == 1 && newColumns == 1 ? null : (newRows, newColumns),
        };
        GatedScorer? gate = null;
        using var factory = new InferenceFactory(repository =>
            {
                pooledModel.Publish(repository, "v2-first");
                newModel.Publish(repository, "v1-second");
            },
            configureServices: services => services.AddSingleton<IBatchScorer>(provider =>
                gate = new GatedScorer(new ActiveModelScorer(provider.GetRequiredService<Inference.Models.IModelRepository>()))));
        var client = new Contracts.V1.Inference.InferenceClient(factory.CreateChannel());
        Assert.Equal("v2-first", (await client.ListModelsAsync(new ListModelsRequest())).ActiveVersion);
        var random = new Random(rows * 10 + columns);
        var input = Enumerable.Range(0, 3 * 400 * 300).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var call = client.ScoreAsync(new ScoreRequest { Tensor = Tensor.FromFloats([3, 400, 300], input) });
        await gate!.Entered;

        await client.ActivateModelAsync(new ActivateModelRequest { Version = "v1-second" });
        gate.Open();
        var response = await call;

        Assert.Equal("v1-second", response.ModelVersion);
        var path = Directory.GetFiles(Path.Combine(factory.Repository, "v1-second"), "model.onnx").Single();
        using var offline = OnnxClassifier.Open(path);
        Assert.Equal(newRows == 1 && newColumns == 1 ? InputPooling.None : new InputPooling(newRows, newColumns), offline.Pooling);
        Assert.Equal(offline.Predict(input.AsMemory(), 1)[0], response.Probabilities.ToArray());
        // The first model answers otherwise: the answer above is not the input as formed for it.
        using var first = OnnxClassifier.Open(Directory.GetFiles(Path.Combine(factory.Repository, "v2-first"), "model.onnx").Single());
        Assert.NotEqual(first.Predict(input.AsMemory(), 1)[0], response.Probabilities.ToArray());
    }

    [Theory]
    [InlineData(1, 30, 1, 1, "1x1")]
    [InlineData(1, 2, 2, 1, "2x1")] // windows of the same size (60,000 floats): no length error gives it away
    public async Task AWindowFormedForOnePoolAndScoredByAModelWithAnotherEndsTheCallRetryably(int rows, int columns, int newRows, int newColumns, string newPool)
    {
        // The pooled model's window waits at the (gated) model while a model with another pool (or none) is activated.
        var pooledModel = new TinyOnnxModel(EegModel.Weights, EegModel.Bias, pooling: "GlobalMaxPool") { InputKind = "eeg", LeadingPool = (rows, columns) };
        var newModel = new TinyOnnxModel(EegModel.Weights, EegModel.Bias, pooling: "GlobalMaxPool")
        {
            InputKind = "eeg",
            LeadingPool = newRows == 1 && newColumns == 1 ? null : (newRows, newColumns),
        };
        GatedScorer? gate = null;
        using var factory = new InferenceFactory(repository =>
            {
                pooledModel.Publish(repository, "e1-pooled");
                newModel.Publish(repository, "e0-whole");
            },
            new Dictionary<string, string> { ["Hbac:StreamMaxSamplesPerSecond"] = "100000" },
            configureServices: services => services.AddSingleton<IBatchScorer>(provider =>
                gate = new GatedScorer(new ActiveModelScorer(provider.GetRequiredService<Inference.Models.IModelRepository>()))));
        var client = new Contracts.V1.Inference.InferenceClient(factory.CreateChannel());
        Assert.Equal("e1-pooled", (await client.ListModelsAsync(new ListModelsRequest())).ActiveEegVersion);
        using var call = client.StreamEeg();
        foreach (var request in Inputs.Chunks(Inputs.Eeg(50, seed: 12), 200))
        {
            await call.RequestStream.WriteAsync(request);
        }
        await gate!.Entered;

        await client.ActivateModelAsync(new ActivateModelRequest { Version = "e0-whole" });
        gate.Open();

        var ended = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Unavailable, ended.StatusCode);
        Assert.Contains($"window ending at 50 s: the EEG model changed to one whose input pool is {newPool}, not {rows}x{columns}", ended.Status.Detail);
        Assert.Contains("reconnect to resume", ended.Status.Detail);
        // A new call forms its windows for the model now active.
        using var again = client.StreamEeg();
        foreach (var request in Inputs.Chunks(Inputs.Eeg(50, seed: 12), 200))
        {
            await again.RequestStream.WriteAsync(request);
        }
        await again.RequestStream.CompleteAsync();
        var reply = Assert.Single(await again.ResponseStream.ReadAllAsync().ToListAsync());
        Assert.Equal("e0-whole", reply.ModelVersion);
    }

    [Fact]
    public async Task StreamEegSaysWhichSegmentsHadNoUsableSignal()
    {
        using var call = _client.StreamEeg();
        var channels = Inputs.Eeg(60);
        foreach (var channel in channels)
        {
            channel.AsSpan(28 * 200, 8 * 200).Fill(float.NaN);   // a pause from 28 s to 36 s
        }
        foreach (var request in Inputs.Chunks(channels, 200))
        {
            await call.RequestStream.WriteAsync(request);
        }
        await call.RequestStream.CompleteAsync();
        var replies = await call.ResponseStream.ReadAllAsync().ToListAsync();

        // The report's rule: an electrode is missing when over 25 % of the segment is NaN; 20-30 s has 20 %.
        Assert.Equal([20.0, 22.0, 24.0, 26.0, 28.0, 30.0], replies.Select(r => r.SegmentStartSeconds));
        Assert.Equal(["ok", "not_scored", "not_scored", "not_scored", "not_scored", "not_scored"], replies.Select(r => r.Quality));
        // No finding without signal: only the scored segment has a top class; all keep the model's probabilities.
        Assert.Equal(replies[0].Probabilities.TopClass(), replies[0].TopClass);
        Assert.NotEqual(EegClass.Unspecified, replies[0].TopClass);
        Assert.All(replies.Skip(1), r => Assert.Equal(EegClass.Unspecified, r.TopClass));
        Assert.All(replies, r => Assert.Equal(1, r.Probabilities.ToArray().Sum(), 1e-4));
        Assert.Equal("", replies[0].BadElectrodes);
        Assert.StartsWith("Fp1:nan;F3:nan;", replies[1].BadElectrodes);
        Assert.Equal(19, replies[1].BadElectrodes.Split(';').Length);
    }

    [Fact]
    public async Task AResumedStreamJudgesEachSegmentOnItsOwnSignal()
    {
        using var call = _client.StreamEeg();
        // Resumed at 5 s: this call's signal covers 5-70 s of the stream; the pause lies at 26-36 s of the stream.
        var channels = Inputs.Eeg(65);
        foreach (var channel in channels)
        {
            channel.AsSpan(21 * 200, 10 * 200).Fill(float.NaN);
        }
        var first = true;
        foreach (var request in Inputs.Chunks(channels, 200))
        {
            if (first)
            {
                request.FirstSampleIndex = 1000;
                first = false;
            }
            await call.RequestStream.WriteAsync(request);
        }
        await call.RequestStream.CompleteAsync();
        var replies = await call.ResponseStream.ReadAllAsync().ToListAsync();

        Assert.Equal([26.0, 28.0, 30.0, 32.0, 34.0, 36.0, 38.0, 40.0], replies.Select(r => r.SegmentStartSeconds));
        // 100, 80, 60, 40, 20, 0, 0 and 0 % of each segment missing.
        Assert.Equal(["not_scored", "not_scored", "not_scored", "not_scored", "ok", "ok", "ok", "ok"], replies.Select(r => r.Quality));
    }

    private async Task<List<StreamEegResponse>> StreamAsync(IEnumerable<StreamEegRequest> requests)
    {
        using var call = _client.StreamEeg();
        foreach (var request in requests)
        {
            await call.RequestStream.WriteAsync(request);
        }
        await call.RequestStream.CompleteAsync();
        return await call.ResponseStream.ReadAllAsync().ToListAsync();
    }

    [Fact]
    public async Task AStreamAt256HzIsResampledOnTheServerExactlyAsAClientResamplesTheWholeRecording()
    {
        var native = Inputs.Eeg(70, rateHz: 256);
        // What `hbac stream` sends for an EDF at 256 Hz: each whole channel resampled to 200 Hz (here 14,000 samples, 70 s).
        var resampled = native.Select(c => Hbac.Eeg.Resampling.Resampler.Resample(c, 256, 200)).ToArray();
        Assert.Equal(14_000, resampled[0].Length);
        var atClient = await StreamAsync(Inputs.Chunks(resampled, 200).Select((r, i) =>
        {
            r.SampleRateHz = i == 0 ? 200 : 0; // 200 said outright is the default
            r.FirstSampleIndex = i * 200; // later messages may repeat where they start
            return r;
        }));
        // The same signal at its own rate in uneven chunks; the first message sets the rate, later ones leave it 0 or repeat it.
        var atServer = await StreamAsync(Inputs.Chunks(native, 333).Select((r, i) =>
        {
            r.SampleRateHz = i == 0 || i % 3 == 0 ? 256 : 0;
            // Message 33 starts at 256-Hz sample 32 x 333, which falls on the stream's 200-Hz clock: 8,325.
            r.FirstSampleIndex = i == 32 ? 8_325 : 0;
            return r;
        }));

        // 50, 52, ... 70 s: the last window's final samples come out of the filter once the client has ended its side.
        Assert.Equal(11, atClient.Count);
        Assert.Equal(atClient.Select(r => (r.WindowEndSeconds, r.SegmentStartSeconds, r.SegmentEndSeconds, r.Quality, r.TopClass)),
            atServer.Select(r => (r.WindowEndSeconds, r.SegmentStartSeconds, r.SegmentEndSeconds, r.Quality, r.TopClass)));
        Assert.Equal(atClient.Select(r => r.Probabilities.ToArray()), atServer.Select(r => r.Probabilities.ToArray()));
        // The lag also counts what the filter holds back and what arrived in the same chunk (up to 333 samples).
        Assert.All(atClient.Zip(atServer), pair => Assert.InRange(pair.Second.LagSeconds, pair.First.LagSeconds, pair.First.LagSeconds + 333 / 256.0 + 0.2));
        // Exactly: each reply's segment end plus its lag is the newest 256-Hz sample received, the end of a chunk of 333.
        Assert.All(atServer, r =>
        {
            var received = (r.SegmentEndSeconds + r.LagSeconds) * 256;
            Assert.True(Math.Abs(received - Math.Round(received / 333) * 333) < 1e-6 || Math.Abs(received - 70 * 256) < 1e-6,
                $"segment ending {r.SegmentEndSeconds} s, lag {r.LagSeconds} s: {received} samples received");
        });
    }

    public static TheoryData<string, string> LaterMessagesThatContradictTheFirst => new()
    {
        { "another rate", "sample_rate_hz: 500 in message 3 of the call, whose rate its first message set to 256 Hz; a call's rate is fixed" },
        { "a rate after 200 Hz", "sample_rate_hz: 256 in message 3 of the call, whose rate its first message set to 200 Hz" },
        { "a chunk lost", "first_sample_index: 1600 in message 3 of the call, but that message starts at 1400 (200-Hz samples since the stream began: the call's start, 1000, plus the 400 samples at 200 Hz before it)" },
        { "a chunk lost at 256 Hz", "first_sample_index: 800 in message 3 of the call, but that message starts at 400 (200-Hz samples since the stream began: the call's start, 0, plus the 512 samples at 256 Hz before it)" },
    };

    [Theory]
    [MemberData(nameof(LaterMessagesThatContradictTheFirst))]
    public async Task ALaterMessageThatContradictsTheCallsRateOrStartIsRefusedRatherThanIgnored(string variant, string message)
    {
        using var call = _client.StreamEeg();
        var at256 = variant is "another rate" or "a chunk lost at 256 Hz";
        var requests = Inputs.Chunks(Inputs.Eeg(10, rateHz: at256 ? 256 : 200), at256 ? 256 : 200).ToList();
        requests[0].SampleRateHz = at256 ? 256 : 0;
        requests[0].FirstSampleIndex = variant == "a chunk lost" ? 1000 : 0;
        requests[1].FirstSampleIndex = variant == "a chunk lost" ? 1200 : 0; // a true repeat is fine
        switch (variant)
        {
            case "another rate":
                requests[2].SampleRateHz = 500;
                break;
            case "a rate after 200 Hz":
                requests[2].SampleRateHz = 256;
                break;
            case "a chunk lost":
                requests[2].FirstSampleIndex = 1600; // where message 4 would start
                break;
            default:
                requests[2].FirstSampleIndex = 800;
                break;
        }

        var refused = await Streams.RefusedAsync(call, requests);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith(message, refused.Status.Detail);
        // The service stays up for the next call.
        Assert.Equal("v1", (await _client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(0, 0, 0) })).ModelVersion);
    }

    [Theory]
    [InlineData(-256.0)]
    [InlineData(10.0)]
    [InlineData(5000.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public async Task AStreamAtARateNoEegHasIsRefusedByField(double rate)
    {
        using var call = _client.StreamEeg();
        var requests = Inputs.Chunks(Inputs.Eeg(2), 200).ToList();
        requests[0].SampleRateHz = rate;

        var refused = await Streams.RefusedAsync(call, requests);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith("sample_rate_hz: ", refused.Status.Detail);
        Assert.Contains("64-4096 Hz", refused.Status.Detail);
    }

    [Fact]
    public async Task StreamEegLagCountsTheSignalThatArrivedWithTheWindow()
    {
        using var call = _client.StreamEeg();
        // One chunk of 55 s: three windows at once, the newest sample at 55 s.
        foreach (var request in Inputs.Chunks(Inputs.Eeg(55), 55 * 200))
        {
            await call.RequestStream.WriteAsync(request);
        }
        await call.RequestStream.CompleteAsync();
        var replies = await call.ResponseStream.ReadAllAsync().ToListAsync();

        Assert.Equal([(30.0, 25.0), (32.0, 23.0), (34.0, 21.0)], replies.Select(r => (r.SegmentEndSeconds, r.LagSeconds)));
    }

    [Fact]
    public async Task StreamEegWithOnlyASpectrogramModelIsFailedPrecondition()
    {
        using var factory = new InferenceFactory(repository => Model.Publish(repository, "v1"));
        var client = new Contracts.V1.Inference.InferenceClient(factory.CreateChannel());
        using var call = client.StreamEeg();

        var error = await Streams.RefusedAsync(call, Inputs.Chunks(Inputs.Eeg(2), 200));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.StartsWith("no EEG-window model loaded", error.Status.Detail);
        Assert.Contains("a spectrogram model cannot score a stream", error.Status.Detail);
        // The spectrogram model still answers Score.
        Assert.Equal("v1", (await client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(0, 0, 0) })).ModelVersion);
    }

    [Fact]
    public async Task StreamEegRejectsABadChunk()
    {
        using var call = _client.StreamEeg();
        var chunk = new EegChunk { Layout = SampleLayout.Unspecified };
        chunk.Samples.AddRange(new float[20]);

        // The server may end the call while the write is still in flight: either side reports the status.
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await call.RequestStream.WriteAsync(new StreamEegRequest { Chunk = chunk });
            await call.ResponseStream.MoveNext();
        });

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("chunk.layout", error.Status.Detail);
    }

    [Fact]
    public async Task ListModelsShowsTheActiveVersionOfEachKindWithItsCard()
    {
        var response = await _client.ListModelsAsync(new ListModelsRequest());

        Assert.Equal("v1", response.ActiveVersion);
        Assert.Equal("e1", response.ActiveEegVersion);
        Assert.Equal(["v1", "e1"], response.Models.Select(m => m.Version));
        var model = response.Models[0];
        Assert.Equal(Contracts.V1.ModelInputKind.Spectrogram, model.InputKind);
        Assert.Equal(Contracts.V1.ModelInputKind.Eeg, response.Models[1].InputKind);
        Assert.All(response.Models, m => Assert.True(m.Active && m.Valid));
        Assert.All(response.Models, m => Assert.Equal("CPU", m.ExecutionProvider));
        Assert.Equal(ModelArchitecture.MobilenetV3Large, model.Architecture);
        Assert.Equal(0.5, model.ValidationLoss);
        Assert.Equal([-1L, 3, 400, 300], model.InputShape);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 22, 0, 0, TimeSpan.Zero), model.CreatedAt.ToDateTimeOffset());
    }

    [Fact]
    public async Task EachKindServesItsNewestVersionAndActivatingOneLeavesTheOtherKindAlone()
    {
        TinyOnnxModel.EegFavouring(1).Publish(_factory.Repository, "e2");
        await WaitForAsync(r => r.ActiveEegVersion == "e2", "e2");
        Assert.Equal("v1", (await _client.ListModelsAsync(new ListModelsRequest())).ActiveVersion);

        var activated = await _client.ActivateModelAsync(new ActivateModelRequest { Version = "e1" });

        Assert.True(activated.Active);
        Assert.Equal(Contracts.V1.ModelInputKind.Eeg, activated.InputKind);
        var models = await _client.ListModelsAsync(new ListModelsRequest());
        Assert.Equal(("v1", "e1"), (models.ActiveVersion, models.ActiveEegVersion));
        Assert.Equal(["v1", "e1"], models.Models.Where(m => m.Active).Select(m => m.Version));
        // Score still goes to the spectrogram model.
        Assert.Equal("v1", (await _client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(0, 0, 0) })).ModelVersion);
    }

    [Fact]
    public async Task AnEegModelOfAnOlderPreprocessingVersionIsListedInvalidWithTheReasonAndNeverServed()
    {
        new TinyOnnxModel(EegModel.Weights, EegModel.Bias) { InputKind = "eeg", EegPreprocessingVersion = null }.Publish(_factory.Repository, "e3");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        ModelInfo? listed;
        while ((listed = (await _client.ListModelsAsync(new ListModelsRequest())).Models.FirstOrDefault(m => m.Version == "e3")) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "e3 never listed");
            await Task.Delay(100);
        }
        Assert.False(listed.Valid);
        Assert.Empty(listed.ExecutionProvider);
        Assert.Contains("preprocessing version 1", listed.InvalidReason);
        Assert.Contains("retrain", listed.InvalidReason);
        Assert.Equal("e1", (await _client.ListModelsAsync(new ListModelsRequest())).ActiveEegVersion);
        var refused = await Assert.ThrowsAsync<RpcException>(() => _client.ActivateModelAsync(new ActivateModelRequest { Version = "e3" }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
    }

    [Fact]
    public async Task ActivateModelSwitchesBackAndRefusesUnknownAndInvalidVersions()
    {
        var other = TinyOnnxModel.Favouring(5);
        other.Publish(_factory.Repository, "v2");
        await WaitForActiveAsync("v2");

        var activated = await _client.ActivateModelAsync(new ActivateModelRequest { Version = "v1" });
        Assert.True(activated.Active);
        Assert.Equal("v1", (await _client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(0, 0, 0) })).ModelVersion);

        var missing = await Assert.ThrowsAsync<RpcException>(() => _client.ActivateModelAsync(new ActivateModelRequest { Version = "v9" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        var escaping = await Assert.ThrowsAsync<RpcException>(() => _client.ActivateModelAsync(new ActivateModelRequest { Version = "../models" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, escaping.StatusCode);
        var empty = await Assert.ThrowsAsync<RpcException>(() => _client.ActivateModelAsync(new ActivateModelRequest()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);

        Directory.CreateDirectory(Path.Combine(_factory.Repository, "v0"));
        File.WriteAllText(Path.Combine(_factory.Repository, "v0", "model.onnx"), "not a model");
        var invalid = await Assert.ThrowsAsync<RpcException>(() => _client.ActivateModelAsync(new ActivateModelRequest { Version = "v0" }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, invalid.StatusCode);
        Assert.Equal("v1", (await _client.ListModelsAsync(new ListModelsRequest())).ActiveVersion);
    }

    private Task WaitForActiveAsync(string version) => WaitForAsync(r => r.ActiveVersion == version, version);

    private async Task WaitForAsync(Func<ListModelsResponse, bool> condition, string version)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition(await _client.ListModelsAsync(new ListModelsRequest())))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{version} was not activated within 20 s");
            await Task.Delay(50);
        }
    }

    private static float[] Softmax(float[] logits)
    {
        var max = logits.Max();
        var exp = logits.Select(l => Math.Exp(l - max)).ToArray();
        return exp.Select(e => (float)(e / exp.Sum())).ToArray();
    }

    private Spectrogram WriteSpectrogram(string folder, string id, int columns) => WriteSpectrogram(_factory, folder, id, columns);

    private static Spectrogram WriteSpectrogram(InferenceFactory factory, string folder, string id, int columns)
    {
        var random = new Random(11);
        var values = new float[400 * columns];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)Math.Exp(random.NextDouble() * 6 - 2);
        }
        var spectrogram = new Spectrogram(values, Enumerable.Range(0, columns).Select(c => 1f + 2 * c).ToArray());
        Directory.CreateDirectory(Path.Combine(factory.DataRoot, folder));
        SpectrogramParquetWriter.Write(Path.Combine(factory.DataRoot, folder, id + ".parquet"), spectrogram);
        return spectrogram;
    }
}
