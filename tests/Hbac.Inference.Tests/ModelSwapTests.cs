using Grpc.Core;
using Hbac.Contracts.V1;
using Hbac.Inference.Extensions;
using Hbac.Inference.Models;
using Hbac.Inference.Tests.Support;
using Hbac.Learning.Training;
using ModelInputKind = Hbac.Onnx.ModelInputKind;
using Hbac.Onnx;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Hbac.Inference.Tests;

/// <summary>Versions appearing, being refused and being swapped in while requests and streams run.</summary>
public sealed class ModelSwapTests
{
    private static readonly TinyOnnxModel Seizure = TinyOnnxModel.Favouring(0);
    private static readonly TinyOnnxModel Other = TinyOnnxModel.Favouring(5);
    private static readonly TinyOnnxModel EegSeizure = TinyOnnxModel.EegFavouring(0);
    private static readonly TinyOnnxModel EegOther = TinyOnnxModel.EegFavouring(5);

    [Fact]
    public async Task ANewVersionPublishedMidStreamServesTheNextRepliesWithoutClosingTheStream()
    {
        using var factory = new InferenceFactory(repository => EegSeizure.Publish(repository, "e1"));
        var client = new Contracts.V1.Inference.InferenceClient(factory.CreateChannel());
        using var call = client.StreamEeg();
        var chunks = Inputs.Chunks(Inputs.Eeg(56), 200).ToList();

        var before = await SendAndReadAsync(call, chunks[..50]);
        EegOther.Publish(factory.Repository, "e2");
        await factory.Announcements.PublishAsync("e2");
        var after = await SendAndReadAsync(call, chunks[50..52]);
        var later = await SendAndReadAsync(call, chunks[52..54]);
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());

        Assert.Equal(("e1", 50.0, EegClass.Seizure), (before.ModelVersion, before.WindowEndSeconds, before.TopClass));
        Assert.Equal(("e2", 52.0, EegClass.Other), (after.ModelVersion, after.WindowEndSeconds, after.TopClass));
        Assert.Equal(("e2", 54.0), (later.ModelVersion, later.WindowEndSeconds));
    }

    [Theory]
    [InlineData("corrupt", "not a loadable ONNX model")]
    [InlineData("incompatible", "expected [N,3,400,300]")]
    public async Task ABadVersionIsRefusedAndThePreviousOneKeepsServing(string defect, string reason)
    {
        using var factory = new InferenceFactory(repository => Seizure.Publish(repository, "v1"));
        var client = new Contracts.V1.Inference.InferenceClient(factory.CreateChannel());

        if (defect == "corrupt")
        {
            Directory.CreateDirectory(Path.Combine(factory.Repository, "v2"));
            File.WriteAllBytes(Path.Combine(factory.Repository, "v2", "model.onnx"), [0x08, 0x08, 0xFF, 0xFF, 0x13, 0x37]);
        }
        else
        {
            new TinyOnnxModel(new float[18], new float[6], 224, 224).Publish(factory.Repository, "v2");
        }
        await factory.Announcements.PublishAsync("v2");

        var models = await client.ListModelsAsync(new ListModelsRequest());
        Assert.Equal("v1", models.ActiveVersion);
        Assert.Equal(["v2", "v1"], models.Models.Select(m => m.Version));
        Assert.False(models.Models[0].Valid);
        Assert.Contains(reason, models.Models[0].InvalidReason);
        Assert.True(models.Models[1].Valid && models.Models[1].Active);
        var score = await client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(0, 0, 0) });
        Assert.Equal("v1", score.ModelVersion);
        Inputs.AssertProbabilities(Seizure.Expected([0, 0, 0]), score.Probabilities);
    }

    [Fact]
    public async Task AnEegModelIsServedBesideTheSpectrogramModelNeverInItsPlace()
    {
        using var factory = new InferenceFactory(repository => Seizure.Publish(repository, "v1"));
        var client = new Contracts.V1.Inference.InferenceClient(factory.CreateChannel());

        // Newer, same [N,3,400,300] shape, other meaning: it must not answer Score.
        EegOther.Publish(factory.Repository, "v2");
        await factory.Announcements.PublishAsync("v2");

        var models = await client.ListModelsAsync(new ListModelsRequest());
        Assert.Equal(("v1", "v2"), (models.ActiveVersion, models.ActiveEegVersion));
        Assert.All(models.Models, m => Assert.True(m.Valid && m.Active));
        var score = await client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(0, 0, 0) });
        Assert.Equal("v1", score.ModelVersion);
        Inputs.AssertProbabilities(Seizure.Expected([0, 0, 0]), score.Probabilities);
    }

    [Fact]
    public async Task OnStartTheNewestValidVersionIsServed()
    {
        using var factory = new InferenceFactory(repository =>
        {
            Seizure.Publish(repository, "20260101-000000");
            Other.Publish(repository, "20260102-000000");
            Directory.CreateDirectory(Path.Combine(repository, "20260103-000000"));
            File.WriteAllText(Path.Combine(repository, "20260103-000000", "model.onnx"), "truncated");
            Directory.CreateDirectory(Path.Combine(repository, ".20260104-000000.tmp"));
        });
        var client = new Contracts.V1.Inference.InferenceClient(factory.CreateChannel());

        var models = await client.ListModelsAsync(new ListModelsRequest());

        Assert.Equal("20260102-000000", models.ActiveVersion);
        Assert.Equal(["20260103-000000", "20260102-000000", "20260101-000000"], models.Models.Select(m => m.Version));
        Assert.Equal([false, true, true], models.Models.Select(m => m.Valid));
    }

    [Fact]
    public async Task WithoutAModelScoringFailsWithFailedPreconditionUntilOneIsPublished()
    {
        using var factory = new InferenceFactory();
        var client = new Contracts.V1.Inference.InferenceClient(factory.CreateChannel());

        var models = await client.ListModelsAsync(new ListModelsRequest());
        Assert.Equal("", models.ActiveVersion);
        Assert.Empty(models.Models);
        var score = await Assert.ThrowsAsync<RpcException>(() => client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(0, 0, 0) }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, score.StatusCode);
        var batch = await Assert.ThrowsAsync<RpcException>(() =>
            client.ScoreBatchAsync(new ScoreBatchRequest { Items = { new ScoreRequest { Tensor = Inputs.Tensor(0, 0, 0) } } }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, batch.StatusCode);
        using (var call = client.StreamEeg())
        {
            var stream = await Streams.RefusedAsync(call, Inputs.Chunks(Inputs.Eeg(10), 400));
            Assert.Equal(StatusCode.FailedPrecondition, stream.StatusCode);
        }

        // Found by the folder poll alone (no announcement).
        Seizure.Publish(factory.Repository, "v1");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await client.ListModelsAsync(new ListModelsRequest())).ActiveVersion != "v1")
        {
            Assert.True(DateTime.UtcNow < deadline, "the poll did not pick v1 up within 20 s");
            await Task.Delay(50);
        }
        Assert.Equal("v1", (await client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(0, 0, 0) })).ModelVersion);
    }

    [Fact]
    public async Task AnAnnouncementLoadsTheVersionWithoutWaitingForThePoll()
    {
        using var factory = new InferenceFactory(repository => Seizure.Publish(repository, "v1"),
            new Dictionary<string, string> { ["Hbac:PollIntervalSeconds"] = "3600" });
        var client = new Contracts.V1.Inference.InferenceClient(factory.CreateChannel());
        Assert.Equal("v1", (await client.ListModelsAsync(new ListModelsRequest())).ActiveVersion);

        Other.Publish(factory.Repository, "v2");
        await factory.Announcements.PublishAsync("v2");

        Assert.Equal("v2", (await client.ListModelsAsync(new ListModelsRequest())).ActiveVersion);
    }

    [Fact]
    public async Task ASwappedOutSessionLivesUntilItsLastUserReleasesIt()
    {
        var folder = Directory.CreateTempSubdirectory("hbac-repository-").FullName;
        try
        {
            Seizure.Publish(folder, "v1");
            using var repository = new ModelRepository(Options.Create(new InferenceOptions { ModelRepository = folder }), NullLogger<ModelRepository>.Instance);
            await repository.RefreshAsync();
            var inFlight = repository.AcquireActive(ModelInputKind.Spectrogram)!;

            Other.Publish(folder, "v2");
            await repository.RefreshAsync();

            Assert.Equal("v2", repository.ActiveVersion(ModelInputKind.Spectrogram));
            Assert.False(inFlight.IsDisposed);
            var probabilities = inFlight.Predict(Inputs.Constant(0, 0, 0), 1)[0];
            Assert.Equal(Seizure.Expected([0, 0, 0]), probabilities, new ToleranceComparer(1e-5f));
            inFlight.Release();
            Assert.True(inFlight.IsDisposed);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task DisposingTheRepositoryWaitsForARefreshInFlightAndNothingIsServedAfter()
    {
        // The host's shutdown: the container disposes the repository while the watcher's poll is still loading.
        var folder = Directory.CreateTempSubdirectory("hbac-repository-").FullName;
        try
        {
            for (var i = 0; i < 16; i++)
            {
                (i % 2 == 0 ? Seizure : EegSeizure).Publish(folder, $"v{i:00}");
            }
            var repository = new ModelRepository(Options.Create(new InferenceOptions { ModelRepository = folder }), NullLogger<ModelRepository>.Instance);
            var refresh = Task.Run(() => repository.RefreshAsync());
            while (repository.List().Count == 0 && !refresh.IsCompleted)
            {
                await Task.Delay(1);
            }
            repository.Dispose();
            await refresh;   // ends normally, though the repository was disposed under it
            Assert.Null(repository.ActiveVersion(ModelInputKind.Spectrogram));
            Assert.Null(repository.ActiveVersion(ModelInputKind.Eeg));
            await repository.RefreshAsync();
            Assert.Null(repository.ActiveVersion(ModelInputKind.Spectrogram));
            await Assert.ThrowsAsync<ObjectDisposedException>(() => repository.ActivateAsync("v00"));
            repository.Dispose();   // twice is harmless
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<StreamEegResponse> SendAndReadAsync(AsyncDuplexStreamingCall<StreamEegRequest, StreamEegResponse> call, IEnumerable<StreamEegRequest> chunks)
    {
        foreach (var chunk in chunks)
        {
            await call.RequestStream.WriteAsync(chunk);
        }
        Assert.True(await call.ResponseStream.MoveNext());
        return call.ResponseStream.Current;
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
