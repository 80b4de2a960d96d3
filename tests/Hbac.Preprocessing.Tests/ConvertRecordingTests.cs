using Google.Protobuf;
using Grpc.Core;
using Hbac.Contracts.V1;
using Hbac.Eeg.Formats.Edf;
using Hbac.Eeg.Montage;
using Hbac.Eeg.Spectrograms;
using Hbac.Tests;

namespace Hbac.Preprocessing.Tests;

/// <summary>ConvertRecording: EEG recordings (EDF/BDF at any rate, bipolar or referential) become cached spectrograms GetWindow cuts.</summary>
public sealed class ConvertRecordingTests : IDisposable
{
    private readonly TestData _data = new();

    public void Dispose() => _data.Dispose();

    /// <summary>A referential EDF+C of noise with some rhythm, at <paramref name="rate"/> Hz.</summary>
    private string WriteEdf(string relative, int rate, int seconds)
    {
        var path = _data.FullPath(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var random = new Random(rate);
        var labels = KaggleMontage.Columns.Select(c => c == "EKG" ? "ECG" : $"EEG {c}-REF").ToList();
        using var writer = new EdfPlusWriter(path, labels, rate, -3276.7, 3276.7, seconds, [], DateTime.UnixEpoch);
        writer.Write([.. labels.Select((_, c) => Enumerable.Range(0, rate * seconds)
            .Select(n => (float)(random.NextDouble() * 50 - 25 + 20 * Math.Sin(2 * Math.PI * (2 + c % 7) * n / rate))).ToArray())]);
        return relative;
    }

    [Fact]
    public async Task AnEdfAt256HzBecomesTheSpectrogramOfItsWholeRecording()
    {
        var path = WriteEdf("edf/clinical.edf", 256, 130);
        await using var host = new PreprocessingHost(_data.Root);

        var response = await host.Client.ConvertRecordingAsync(new ConvertRecordingRequest { Path = path, IncludeTensor = true });

        // 130 s at 200 Hz: columns centred every 2 s from 0, ceil(26000 / 400) = 65.
        Assert.Equal(65, response.TimeColumns);
        Assert.Equal(130.0, response.DurationSeconds);
        Assert.False(response.CacheHit);
        Assert.Matches("^[0-9a-f]{64}$", response.SpectrogramId);
        Assert.Equal([400L, 65L], response.Spectrogram.Shape);
        // What the whole-file loader and the whole-recording transform give, bit for bit.
        var expected = EegSpectrogram.Compute(EdfRecordingLoader.Load(_data.FullPath(path)));
        Assert.Equal(expected.Values, response.Spectrogram.ToFloats());
        // The id hashes the computation's version with the bytes: never the bare file hash a parquet spectrogram gets.
        Assert.NotEqual(Hbac.Caching.TensorCacheKey.HashContent(await File.ReadAllBytesAsync(_data.FullPath(path))), response.SpectrogramId);
    }

    [RedisFact]
    public async Task ItIsCachedSoAnUploadOfTheSameBytesIsAHitAndGetWindowCutsItById()
    {
        await using var redis = await RedisTestServer.StartAsync();
        var path = WriteEdf("edf/a.edf", 200, 60);
        await using var host = new PreprocessingHost(_data.Root, redis.ConnectionString);
        var bytes = await File.ReadAllBytesAsync(_data.FullPath(path));

        var byPath = await host.Client.ConvertRecordingAsync(new ConvertRecordingRequest { Path = path, IncludeTensor = true });
        var uploaded = await host.Client.ConvertRecordingAsync(new ConvertRecordingRequest { Content = ByteString.CopyFrom(bytes), FileName = "A.EDF", IncludeTensor = true });

        Assert.False(byPath.CacheHit);
        Assert.True(uploaded.CacheHit);
        Assert.Equal(byPath.SpectrogramId, uploaded.SpectrogramId);
        Assert.Equal(byPath.Spectrogram.ToFloats(), uploaded.Spectrogram.ToFloats());
        var window = await host.Client.GetWindowAsync(new GetWindowRequest { SpectrogramId = byPath.SpectrogramId, OffsetSeconds = 11 });
        Assert.Equal([3L, 400L, 300L], window.Input.Shape);
        Assert.Equal(10, window.OffsetSeconds);
    }

    [Fact]
    public async Task BadRecordingsAreInvalidArgumentNamingTheFileAndTheServiceStaysUp()
    {
        var good = WriteEdf("edf/good.edf", 200, 10);
        var few = _data.FullPath("edf/few.edf");
        using (var writer = new EdfPlusWriter(few, ["EEG Fp1", "EEG Cz"], 200, -100, 100, 1, [], DateTime.UnixEpoch))
        {
            writer.Write([new float[200], new float[200]]);
        }
        await using var host = new PreprocessingHost(_data.Root);

        async Task<RpcException> Refused(ConvertRecordingRequest request) =>
            await Assert.ThrowsAsync<RpcException>(() => host.Client.ConvertRecordingAsync(request).ResponseAsync);

        var tooFew = await Refused(new ConvertRecordingRequest { Path = "edf/few.edf" });
        Assert.Equal(StatusCode.InvalidArgument, tooFew.StatusCode);
        Assert.StartsWith("edf/few.edf: too few montage electrodes: 15 of the 16", tooFew.Status.Detail);

        var corrupt = await Refused(new ConvertRecordingRequest { Content = ByteString.CopyFrom(new byte[3000]), FileName = "broken.bdf" });
        Assert.Equal(StatusCode.InvalidArgument, corrupt.StatusCode);
        Assert.StartsWith("broken.bdf: ", corrupt.Status.Detail);
        Assert.DoesNotContain(Path.GetTempPath(), corrupt.Status.Detail);

        var noExtension = await Refused(new ConvertRecordingRequest { Content = ByteString.CopyFrom([1, 2, 3]), FileName = "recording" });
        Assert.Equal(StatusCode.InvalidArgument, noExtension.StatusCode);
        Assert.Equal("file_name: 'recording' must end in .parquet, .edf, .bdf (the recording's format is taken from it)", noExtension.Status.Detail);

        var missing = await Refused(new ConvertRecordingRequest { Path = "edf/none.edf" });
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        var outside = await Refused(new ConvertRecordingRequest { Path = "../x.edf" });
        Assert.Equal(StatusCode.InvalidArgument, outside.StatusCode);
        var empty = await Refused(new ConvertRecordingRequest());
        Assert.Equal("source: set path or content", empty.Status.Detail);

        Assert.Equal(5, (await host.Client.ConvertRecordingAsync(new ConvertRecordingRequest { Path = good })).TimeColumns);
    }
}
