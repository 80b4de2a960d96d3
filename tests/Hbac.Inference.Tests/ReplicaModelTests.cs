using Hbac.Contracts.V1;
using Hbac.Inference.Extensions;
using Hbac.Inference.Models;
using Hbac.Inference.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelInputKind = Hbac.Onnx.ModelInputKind;

namespace Hbac.Inference.Tests;

/// <summary>
/// Replicas share one model repository folder: what one of them is told to serve (ActivateModel), all of
/// them serve, and a replica started later too.
/// </summary>
public sealed class ReplicaModelTests : IDisposable
{
    private static readonly TinyOnnxModel Seizure = TinyOnnxModel.Favouring(0);
    private static readonly TinyOnnxModel Other = TinyOnnxModel.Favouring(5);
    private static readonly TinyOnnxModel EegSeizure = TinyOnnxModel.EegFavouring(0);

    private readonly string _folder = Directory.CreateTempSubdirectory("hbac-replicas-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task AVersionActivatedOnOneReplicaIsServedByTheOthersAndByAReplicaStartedLater()
    {
        Seizure.Publish(_folder, "20260101-000000");
        Other.Publish(_folder, "20260102-000000");
        EegSeizure.Publish(_folder, "20260103-000000");
        using var first = await StartAsync();
        using var second = await StartAsync();
        Assert.Equal("20260102-000000", second.ActiveVersion(ModelInputKind.Spectrogram));

        await first.ActivateAsync("20260101-000000");
        await second.RefreshAsync();
        using var later = await StartAsync();

        Assert.Equal("20260101-000000", first.ActiveVersion(ModelInputKind.Spectrogram));
        Assert.Equal("20260101-000000", second.ActiveVersion(ModelInputKind.Spectrogram));
        Assert.Equal("20260101-000000", later.ActiveVersion(ModelInputKind.Spectrogram));
        // The other kind is not pinned by it.
        Assert.Equal("20260103-000000", later.ActiveVersion(ModelInputKind.Eeg));
        Assert.Equal(first.List().Select(Row), later.List().Select(Row));
    }

    [Fact]
    public async Task AVersionPublishedAfterThePinReplacesItOnEveryReplica()
    {
        Seizure.Publish(_folder, "20260101-000000");
        Other.Publish(_folder, "20260102-000000");
        using var first = await StartAsync();
        using var second = await StartAsync();
        await first.ActivateAsync("20260101-000000");
        await second.RefreshAsync();

        Seizure.Publish(_folder, "20260104-000000");
        await first.RefreshAsync();
        await second.RefreshAsync();

        Assert.Equal("20260104-000000", first.ActiveVersion(ModelInputKind.Spectrogram));
        Assert.Equal("20260104-000000", second.ActiveVersion(ModelInputKind.Spectrogram));
    }

    [Fact]
    public async Task APinnedVersionThatTurnsInvalidGivesWayToTheNewestValidOne()
    {
        Seizure.Publish(_folder, "20260101-000000");
        Other.Publish(_folder, "20260102-000000");
        using (var first = await StartAsync())
        {
            await first.ActivateAsync("20260101-000000");
        }
        File.WriteAllText(Path.Combine(_folder, "20260101-000000", "model.onnx"), "truncated");

        using var later = await StartAsync();

        Assert.Equal("20260102-000000", later.ActiveVersion(ModelInputKind.Spectrogram));
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("{\"version\": \"../elsewhere\", \"newest_at_pin\": \"x\", \"pinned_at\": \"2026-01-01T00:00:00Z\"}")]
    public async Task AnUnreadablePinIsIgnoredAndTheNewestServes(string content)
    {
        Seizure.Publish(_folder, "20260101-000000");
        Other.Publish(_folder, "20260102-000000");
        File.WriteAllText(Path.Combine(_folder, ModelPin.FileName(ModelInputKind.Spectrogram)), content);

        using var repository = await StartAsync();

        Assert.Equal("20260102-000000", repository.ActiveVersion(ModelInputKind.Spectrogram));
    }

    [Fact]
    public async Task ActivateModelOnOneServiceReachesAnotherServiceOnTheSameFolderWithinSeconds()
    {
        using var first = new InferenceFactory(repository =>
        {
            Seizure.Publish(repository, "20260101-000000");
            Other.Publish(repository, "20260102-000000");
        });
        using var second = new InferenceFactory(settings: new Dictionary<string, string> { ["Hbac:ModelRepository"] = first.Repository });
        var firstClient = new Contracts.V1.Inference.InferenceClient(first.CreateChannel());
        var secondClient = new Contracts.V1.Inference.InferenceClient(second.CreateChannel());
        Assert.Equal("20260102-000000", (await secondClient.ListModelsAsync(new ListModelsRequest())).ActiveVersion);

        await firstClient.ActivateModelAsync(new ActivateModelRequest { Version = "20260101-000000" });

        // The second service learns it by its folder poll (0.2 s here; 3 s by default), as a replica without Redis would.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await secondClient.ListModelsAsync(new ListModelsRequest())).ActiveVersion != "20260101-000000")
        {
            Assert.True(DateTime.UtcNow < deadline, "the second service did not serve the activated version within 20 s");
            await Task.Delay(50);
        }
        Assert.Equal("20260101-000000", (await secondClient.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(0, 0, 0) })).ModelVersion);
        Assert.Equal(["20260101-000000"], first.Announcements.Published);
    }

    [Theory]
    [InlineData(null, new[] { "b", "a" }, "b")]
    [InlineData("a", new[] { "b", "a" }, "a")]
    [InlineData("a", new[] { "c", "b", "a" }, "c")]
    [InlineData("gone", new[] { "b", "a" }, "b")]
    [InlineData("a", new string[0], null)]
    public void ThePinHoldsUntilAVersionNewerThanTheFolderAtPinTimeExists(string? pinned, string[] validNewestFirst, string? expected)
    {
        var pin = pinned is null ? null : new ModelPin(pinned, "b", DateTimeOffset.UnixEpoch);

        Assert.Equal(expected, ModelPin.Choose(pin, validNewestFirst));
    }

    private static string Row(ModelVersionInfo info) => $"{info.Version}/{info.Precision}/{info.Active}/{info.Valid}";

    private async Task<ModelRepository> StartAsync()
    {
        var repository = new ModelRepository(Options.Create(new InferenceOptions { ModelRepository = _folder }), NullLogger<ModelRepository>.Instance);
        await repository.RefreshAsync();
        return repository;
    }
}
