using Google.Protobuf;
using Grpc.Core;
using Hbac.Contracts.V1;
using Hbac.Eeg.Synthetic;
using Hbac.Inference.Tests.Support;

namespace Hbac.Inference.Tests;

/// <summary>Inference.ScoreRecording over a TestServer: the reply order, the data root, and bad input.</summary>
public sealed class ScoreRecordingTests : IDisposable
{
    private readonly InferenceFactory _factory;
    private readonly Contracts.V1.Inference.InferenceClient _client;

    public ScoreRecordingTests()
    {
        _factory = new InferenceFactory(repository => TinyOnnxModel.EegFavouring(3).Publish(repository, "e1"),
            new Dictionary<string, string> { ["Hbac:MaxRecordingUploadBytes"] = "2000000" });
        _client = new Contracts.V1.Inference.InferenceClient(_factory.CreateChannel());
    }

    public void Dispose() => _factory.Dispose();

    private static async Task<List<ScoreRecordingResponse>> ReadAllAsync(AsyncServerStreamingCall<ScoreRecordingResponse> call)
    {
        var replies = new List<ScoreRecordingResponse>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync())
        {
            replies.Add(reply);
        }
        return replies;
    }

    [Fact]
    public async Task AFileUnderTheDataRootGivesProgressSegmentsAndTheSummaryLast()
    {
        LongRecordings.Generate(new LongRecordingOptions { OutputFolder = Path.Combine(_factory.DataRoot, "long"), Recordings = 1, Hours = 0.05, Seed = 4 });
        using var call = _client.ScoreRecording(new ScoreRecordingRequest { Path = "long/long_001.edf" });
        var replies = await ReadAllAsync(call);

        var segments = replies.Where(r => r.ReplyCase == ScoreRecordingResponse.ReplyOneofCase.Segment).Select(r => r.Segment).ToList();
        Assert.Equal(14, segments.Count);
        Assert.Equal((20.0, 30.0), (segments[0].StartSeconds, segments[0].EndSeconds));
        Assert.All(segments, s => Assert.Equal(EegClass.Lrda, s.TopClass));
        Assert.Equal(ScoreRecordingResponse.ReplyOneofCase.Progress, replies[0].ReplyCase);
        var summary = replies[^1];
        Assert.Equal(ScoreRecordingResponse.ReplyOneofCase.Summary, summary.ReplyCase);
        Assert.Equal("e1", summary.Summary.ModelVersion);
        var report = System.Text.Json.Nodes.JsonNode.Parse(summary.Summary.ReportJson)!;
        Assert.Equal("long/long_001.edf", report["recording"]!["file"]!.GetValue<string>());
        Assert.Equal(2.33, report["minutes_per_class"]!["LRDA"]!.GetValue<double>(), 6);   // 14 segments of 10 s, rounded to 2 decimals
    }

    [Fact]
    public async Task ABadFileGetsAClearErrorAndTheServiceStaysUp()
    {
        var upload = new ScoreRecordingRequest { Upload = new UploadedRecording { FileName = "broken.edf", Content = ByteString.CopyFromUtf8("not an EDF file at all") } };
        var bad = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(_client.ScoreRecording(upload)));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.StartsWith("broken.edf: not an EDF/BDF file", bad.Status.Detail);

        var outside = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(_client.ScoreRecording(new ScoreRecordingRequest { Path = "../../etc/passwd" })));
        Assert.Equal(StatusCode.InvalidArgument, outside.StatusCode);
        var missing = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(_client.ScoreRecording(new ScoreRecordingRequest { Path = "nothing.edf" })));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        var large = new ScoreRecordingRequest { Upload = new UploadedRecording { FileName = "big.edf", Content = ByteString.CopyFrom(new byte[2_000_001]) } };
        Assert.Equal(StatusCode.ResourceExhausted, (await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(_client.ScoreRecording(large)))).StatusCode);
        var empty = new ScoreRecordingRequest { Upload = new UploadedRecording { FileName = "empty.edf" } };
        var emptyError = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(_client.ScoreRecording(empty)));
        Assert.Equal((StatusCode.InvalidArgument, "upload.content: empty, expected the bytes of an EDF, BDF or Kaggle EEG parquet file"),
            (emptyError.StatusCode, emptyError.Status.Detail));
        // No upload's copy outlives its call.
        Assert.DoesNotContain(Directory.GetDirectories(Path.GetTempPath(), "hbac-upload-*"), folder => File.Exists(Path.Combine(folder, "broken.edf")));
        var none = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(_client.ScoreRecording(new ScoreRecordingRequest())));
        Assert.Equal("source: set path or upload", none.Status.Detail);

        // Still serving.
        Assert.Equal("e1", (await _client.ListModelsAsync(new ListModelsRequest())).ActiveEegVersion);
    }
}
