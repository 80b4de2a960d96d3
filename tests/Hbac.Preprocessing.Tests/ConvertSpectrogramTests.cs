using Google.Protobuf;
using Grpc.Core;
using Hbac.Caching;
using Hbac.Contracts.V1;

namespace Hbac.Preprocessing.Tests;

public sealed class ConvertSpectrogramTests : IDisposable
{
    private readonly TestData _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task ByPathReturnsTheTensorWithNaNAsZeroAndTheContentHashAsId()
    {
        var spectrogram = TestData.MakeSpectrogram(5);
        var path = _data.WriteSpectrogram("train_spectrograms/42.parquet", spectrogram);
        await using var host = new PreprocessingHost(_data.Root);

        var response = await host.Client.ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Path = path, IncludeTensor = true });

        Assert.Equal(TensorCacheKey.HashContent(await File.ReadAllBytesAsync(_data.FullPath(path))), response.SpectrogramId);
        Assert.Equal(5, response.TimeColumns);
        Assert.Equal(10.0, response.DurationSeconds);
        Assert.False(response.CacheHit);
        Assert.Equal([400L, 5L], response.Spectrogram.Shape);
        var values = response.Spectrogram.ToFloats();
        Assert.Equal(TestData.WithoutNaN(spectrogram), values);
        Assert.Equal(0f, values[3 * 5 + 1]);
        Assert.Equal(1f + 3 + 0.02f, values[3 * 5 + 2]);
    }

    [Fact]
    public async Task WithoutIncludeTensorOnlyTheIdIsReturned()
    {
        var path = _data.WriteSpectrogram("train_spectrograms/1.parquet", TestData.MakeSpectrogram(3));
        await using var host = new PreprocessingHost(_data.Root);

        var response = await host.Client.ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Path = path });

        Assert.Null(response.Spectrogram);
        Assert.Equal(3, response.TimeColumns);
    }

    [Fact]
    public async Task AnUploadGivesTheSameIdAndTensorAsThePath()
    {
        var spectrogram = TestData.MakeSpectrogram(4);
        var path = _data.WriteSpectrogram("train_spectrograms/7.parquet", spectrogram);
        await using var host = new PreprocessingHost(_data.Root);

        var byPath = await host.Client.ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Path = path, IncludeTensor = true });
        var uploaded = await host.Client.ConvertSpectrogramAsync(new ConvertSpectrogramRequest
        {
            Content = ByteString.CopyFrom(await File.ReadAllBytesAsync(_data.FullPath(path))),
            FileName = "7.parquet",
            IncludeTensor = true,
        });

        Assert.Equal(byPath.SpectrogramId, uploaded.SpectrogramId);
        Assert.Equal(byPath.Spectrogram.ToFloats(), uploaded.Spectrogram.ToFloats());
    }

    [Fact]
    public async Task ACorruptUploadIsInvalidArgumentNamingTheFileAndTheServiceStaysUp()
    {
        var path = _data.WriteSpectrogram("train_spectrograms/9.parquet", TestData.MakeSpectrogram(2));
        await using var host = new PreprocessingHost(_data.Root);

        var error = await Assert.ThrowsAsync<RpcException>(() => host.Client.ConvertSpectrogramAsync(new ConvertSpectrogramRequest
        {
            Content = ByteString.CopyFrom(new byte[5000]),
            FileName = "broken.parquet",
        }).ResponseAsync);
        var good = await host.Client.ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Path = path });

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("broken.parquet: ", error.Status.Detail);
        Assert.DoesNotContain('\n', error.Status.Detail);
        Assert.Equal(2, good.TimeColumns);
    }

    [Theory]
    [InlineData(float.PositiveInfinity, "value +Inf at row 3, column 2")]
    [InlineData(float.NegativeInfinity, "value -Inf at row 3, column 2")]
    [InlineData(float.NaN, "every one of the 1200 values is NaN")]
    public async Task AnInfiniteOrAllNaNSpectrogramIsInvalidArgumentNamingTheFileAndTheValueAndTheServiceStaysUp(float bad, string expected)
    {
        var spectrogram = TestData.MakeSpectrogram(3);
        if (float.IsNaN(bad))
        {
            Array.Fill(spectrogram.Values, float.NaN);
        }
        else
        {
            spectrogram.Values[3 * 3 + 2] = bad;
        }
        var path = _data.WriteSpectrogram("train_spectrograms/11.parquet", spectrogram);
        await using var host = new PreprocessingHost(_data.Root);

        var error = await Assert.ThrowsAsync<RpcException>(() => host.Client.ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Path = path }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("11.parquet", error.Status.Detail);
        Assert.Contains(expected, error.Status.Detail);
        // Refused again (nothing was cached for it), and a good file still converts.
        var again = await Assert.ThrowsAsync<RpcException>(() => host.Client.ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Path = path }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, again.StatusCode);
        var good = _data.WriteSpectrogram("train_spectrograms/12.parquet", TestData.MakeSpectrogram(2));
        Assert.Equal(2, (await host.Client.ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Path = good })).TimeColumns);
    }

    [Fact]
    public async Task AnUploadOverTheLimitIsResourceExhausted()
    {
        var path = _data.WriteSpectrogram("train_spectrograms/3.parquet", TestData.MakeSpectrogram(2));
        var content = await File.ReadAllBytesAsync(_data.FullPath(path));
        await using var host = new PreprocessingHost(_data.Root, settings: new Dictionary<string, string> { ["Hbac:MaxUploadBytes"] = "2048" });

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            host.Client.ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Content = ByteString.CopyFrom(content) }).ResponseAsync);

        Assert.True(content.Length > 2048);
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal($"content: {content.Length} bytes is more than the upload limit of 2048 bytes", error.Status.Detail);
    }

    [Fact]
    public async Task TheGrpcReceiveLimitFollowsTheUploadLimitBeyondTheDefaultFourMegabytes()
    {
        await using var host = new PreprocessingHost(_data.Root, settings: new Dictionary<string, string> { ["Hbac:MaxUploadBytes"] = "8388608" });
        var content = new byte[6 * 1024 * 1024];
        new Random(3).NextBytes(content);

        var error = await Assert.ThrowsAsync<RpcException>(() => host.Client.ConvertSpectrogramAsync(
            new ConvertSpectrogramRequest { Content = ByteString.CopyFrom(content), FileName = "big.parquet" }).ResponseAsync);

        // Received and parsed (then refused as not parquet), not cut off by the transport.
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("big.parquet: ", error.Status.Detail);
    }

    [Theory]
    [InlineData("../outside.parquet")]
    [InlineData("train_spectrograms/../../outside.parquet")]
    [InlineData("/etc/hostname")]
    [InlineData("")]
    public async Task PathsOutsideTheDataRootAreInvalidArgumentNamingPath(string path)
    {
        await using var host = new PreprocessingHost(_data.Root);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            host.Client.ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Path = path }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("path: ", error.Status.Detail);
    }

    [Fact]
    public async Task ASymlinkEscapingTheDataRootIsRefusedOneInsideIsFollowed()
    {
        using var outside = new TestData();
        outside.WriteSpectrogram("secret.parquet", TestData.MakeSpectrogram(2));
        _data.WriteSpectrogram("train_spectrograms/5.parquet", TestData.MakeSpectrogram(3));
        File.CreateSymbolicLink(_data.FullPath("escape.parquet"), outside.FullPath("secret.parquet"));
        Directory.CreateSymbolicLink(_data.FullPath("elsewhere"), outside.Root);
        File.CreateSymbolicLink(_data.FullPath("inside.parquet"), _data.FullPath("train_spectrograms/5.parquet"));
        await using var host = new PreprocessingHost(_data.Root);

        var viaFile = await Assert.ThrowsAsync<RpcException>(() =>
            host.Client.ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Path = "escape.parquet" }).ResponseAsync);
        var viaFolder = await Assert.ThrowsAsync<RpcException>(() =>
            host.Client.ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Path = "elsewhere/secret.parquet" }).ResponseAsync);
        var inside = await host.Client.ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Path = "inside.parquet" });

        Assert.Equal(StatusCode.InvalidArgument, viaFile.StatusCode);
        Assert.Equal("path: 'escape.parquet' is outside the data root", viaFile.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, viaFolder.StatusCode);
        Assert.Equal(3, inside.TimeColumns);
    }

    [Fact]
    public async Task AMissingFileIsNotFoundAndNoSourceIsInvalidArgument()
    {
        await using var host = new PreprocessingHost(_data.Root);

        var missing = await Assert.ThrowsAsync<RpcException>(() =>
            host.Client.ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Path = "train_spectrograms/404.parquet" }).ResponseAsync);
        var none = await Assert.ThrowsAsync<RpcException>(() =>
            host.Client.ConvertSpectrogramAsync(new ConvertSpectrogramRequest()).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal("path: 'train_spectrograms/404.parquet' is not a file under the data root", missing.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, none.StatusCode);
        Assert.StartsWith("source: ", none.Status.Detail);
    }
}
