using Hbac.Learning.Training;
using Hbac.Onnx;
using Hbac.Training.Extensions;
using Hbac.Training.Publishing;
using Hbac.Training.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Hbac.Training.Tests;

public sealed class ModelPublisherTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 1, 30, 5, TimeSpan.Zero);
    private readonly TempFolder _repository = new();
    private readonly MemoryModelAnnouncements _announcements = new();

    public void Dispose() => _repository.Dispose();

    private ModelPublisher Publisher() => new(
        Options.Create(new TrainingServiceOptions { DataRoot = ".", ModelRepository = _repository.Path }), _announcements, NullLogger<ModelPublisher>.Instance);

    [Fact]
    public void AVersionIsTheUtcTimeAndTheModel()
    {
        Directory.CreateDirectory(_repository.File("20260101-000000-mobilenetv3"));

        Assert.Equal("20261124-013005-mobilenetv3", Publisher().NextVersion("mobilenetv3", ModelInputKind.Spectrogram, Now.ToOffset(TimeSpan.FromHours(2))));
    }

    [Theory]
    [InlineData("20261124-013004-mobilenetv3", ModelInputKind.Eeg, "20261124-013005-mobilenetv3-eeg")]
    // Ordinal order: "...-mobilenetv3-eeg" already sorts after "...-mobilenetv3" of the same second.
    [InlineData("20261124-013005-mobilenetv3", ModelInputKind.Eeg, "20261124-013005-mobilenetv3-eeg")]
    [InlineData("20261124-013005-mobilenetv3-eeg", ModelInputKind.Spectrogram, "20261124-013006-mobilenetv3")]
    public void AnEegModelsVersionEndsInEegAndSharesTheOrderWithSpectrogramModels(string existing, ModelInputKind kind, string expected)
    {
        Directory.CreateDirectory(_repository.File(existing));

        var version = Publisher().NextVersion("mobilenetv3", kind, Now);

        Assert.Equal(expected, version);
        Assert.True(string.CompareOrdinal(version, existing) > 0);
    }

    [Theory]
    [InlineData("20261124-013005-mobilenetv3", "20261124-013006-efficientnetv2b2")]
    [InlineData("20261124-013005-zz", "20261124-013006-efficientnetv2b2")]
    [InlineData("20991231-235959-mobilenetv3", "21000101-000000-efficientnetv2b2")]
    public void AVersionSortsAfterTheNewestExistingOne(string existing, string expected)
    {
        Directory.CreateDirectory(_repository.File(existing));

        var version = Publisher().NextVersion("efficientnetv2b2", ModelInputKind.Spectrogram, Now);

        Assert.Equal(expected, version);
        Assert.True(string.CompareOrdinal(version, existing) > 0);
    }

    [Theory]
    [InlineData(".run-x.tmp")]
    [InlineData("_staging")]
    [InlineData("29990101-000000-copy.tmp")]
    public void FoldersTheInferenceServiceIgnoresDoNotCount(string ignored)
    {
        Directory.CreateDirectory(_repository.File(ignored));

        Assert.Equal("20261124-013005-mobilenetv3", Publisher().NextVersion("mobilenetv3", ModelInputKind.Spectrogram, Now));
    }

    [Fact]
    public async Task AnAnnouncementThatFailsOrFindsRedisDownIsNotAnError()
    {
        var publisher = Publisher();

        _announcements.Down = true;
        await publisher.AnnounceAsync("v1", CancellationToken.None);
        _announcements.Down = false;
        _announcements.Throw = true;
        await publisher.AnnounceAsync("v2", CancellationToken.None);
        _announcements.Throw = false;
        await publisher.AnnounceAsync("v3", CancellationToken.None);

        Assert.Equal(["v3"], _announcements.Published);
    }

    [Fact]
    public void WorkFoldersAreHiddenTemporaryFoldersInsideTheRepository()
    {
        var folder = Publisher().WorkFolder("run-1");

        Assert.Equal(Path.GetFullPath(_repository.Path), Path.GetDirectoryName(folder));
        Assert.False(Hbac.Onnx.ModelRepositoryLayout.IsVersionName(Path.GetFileName(folder)));
    }
}
