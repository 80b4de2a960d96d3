using System.Diagnostics;
using Grpc.Core;
using Grpc.Health.V1;
using Hbac.Contracts;
using Hbac.Contracts.V1;
using Hbac.Inference.Tests.Support;
using HbacAspire.ServiceDefaults.Requests;
using Microsoft.Extensions.DependencyInjection;

namespace Hbac.Inference.Tests;

/// <summary>
/// Issue 12's malformed request classes 10-14 against the inference service: each gets its own status
/// code with a bounded detail, and the service stays SERVING (and gives abandoned streams' memory back).
/// </summary>
public sealed class MalformedRequestTests : IDisposable
{
    private readonly InferenceFactory _factory;
    private readonly Contracts.V1.Inference.InferenceClient _client;
    private readonly Health.HealthClient _health;

    public MalformedRequestTests()
    {
        _factory = new InferenceFactory(repository =>
        {
            TinyOnnxModel.Favouring(2).Publish(repository, "v1");
            TinyOnnxModel.EegFavouring(2).Publish(repository, "e1");
        }, new Dictionary<string, string> { ["Hbac:MaxOpenStreams"] = "1000" });
        var channel = _factory.CreateChannel();
        _client = new Contracts.V1.Inference.InferenceClient(channel);
        _health = new Health.HealthClient(channel);
    }

    public void Dispose() => _factory.Dispose();

    private static readonly string LongId = new('x', 10_240);

    [Fact]
    public async Task AHugeFiniteTensorIsRefusedByFieldAndRangeInsteadOfScoredAsNaN()
    {
        // Class 10: all 3.4e38 used to score OK with six NaN probabilities and top_class SEIZURE.
        var huge = Inputs.Tensor(3.4e38f, 3.4e38f, 3.4e38f);

        var score = await Assert.ThrowsAsync<RpcException>(() => _client.ScoreAsync(new ScoreRequest { Tensor = huge }).ResponseAsync);
        var batch = await Assert.ThrowsAsync<RpcException>(() => _client.ScoreBatchAsync(new ScoreBatchRequest
        {
            Items = { new ScoreRequest { Tensor = Inputs.Tensor(0, 0, 0) }, new ScoreRequest { Tensor = huge } },
        }).ResponseAsync);

        AssertRefused(score, StatusCode.InvalidArgument, "tensor.data[0]: 3.4E+38 is outside [-346.4, 346.4]");
        AssertRefused(batch, StatusCode.InvalidArgument, "items[1].tensor.data[0]");
        await AssertServingAsync();
    }

    [Fact]
    public async Task AValueJustInsideTheNormalisedRangeIsScored()
    {
        // The largest |z| a window standardised by its own 120,000 values can hold is sqrt(119,999) (the limit allows float rounding on top).
        var reply = await _client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(ModelInput.MaxAbsValue, -ModelInput.MaxAbsValue, 0) });

        Assert.All(reply.Probabilities.ToArray(), p => Assert.True(float.IsFinite(p)));
    }

    [Fact]
    public async Task TheMostExtremeWindowTheDecoderCanMakeIsScored()
    {
        // One column value at the top of the clip range among 119,999 at the bottom: the decoder's largest |z|.
        var values = new float[400 * 300];
        values[12_345] = 1e6f;
        var input = Hbac.Eeg.Windows.SpectrogramWindow.Decode(values, 300, 0);
        Assert.True(input.Max() > 346f, $"peak {input.Max()}");

        var reply = await _client.ScoreAsync(new ScoreRequest { Tensor = Tensor.FromFloats([3, 400, 300], input) });

        Assert.Equal("v1", reply.ModelVersion);
    }

    [Fact]
    public async Task AModelAnsweringNaNFailsTheWindowAndNamesNoClass()
    {
        // A model whose weights overflow on a legal input: its logits are infinite, its softmax NaN.
        using var factory = new InferenceFactory(repository =>
        {
            TinyOnnxModel.Favouring(2, weight: 3e38f).Publish(repository, "v1");
            TinyOnnxModel.EegFavouring(2, weight: 3e38f, pooling: "GlobalMaxPool").Publish(repository, "e1");
        });
        var client = new Contracts.V1.Inference.InferenceClient(factory.CreateChannel());

        var score = await Assert.ThrowsAsync<RpcException>(() => client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(2, 2, 2) }).ResponseAsync);
        using var stream = client.StreamEeg();
        var streamed = await Streams.RefusedAsync(stream, Inputs.Chunks(Inputs.Eeg(51), 200));

        AssertRefused(score, StatusCode.Internal, "not a probability; no class is named from it");
        AssertRefused(streamed, StatusCode.Internal, "not a probability");
    }

    [Fact]
    public async Task AnInfiniteOrAbsurdStreamSampleIsRefusedByChannelAndSample()
    {
        // Class 14 (the same chunk contract as StreamSpectrogram): NaN marks a missing sample, infinity is refused.
        foreach (var bad in new[] { float.PositiveInfinity, float.NegativeInfinity, 3.4e38f })
        {
            var channels = Inputs.Eeg(2);
            channels[3][17] = bad;
            using var call = _client.StreamEeg();

            var error = await Streams.RefusedAsync(call, Inputs.Chunks(channels, 400));

            AssertRefused(error, StatusCode.InvalidArgument, "(channel P3, sample 17 of the chunk)");
        }
        await AssertServingAsync();
    }

    [Fact]
    public async Task ATenKilobyteIdIsEchoedTruncatedSoTheClientGetsTheRealCode()
    {
        // Class 13: the 10-kB id used to travel whole in grpc-message, past the client's metadata limit.
        var window = await Assert.ThrowsAsync<RpcException>(() => _client.ScoreAsync(new ScoreRequest
        {
            Window = new SpectrogramWindow { SpectrogramId = LongId },
        }).ResponseAsync);
        var version = await Assert.ThrowsAsync<RpcException>(() => _client.ActivateModelAsync(new ActivateModelRequest { Version = LongId }).ResponseAsync);
        var upload = await Assert.ThrowsAsync<RpcException>(() => _client.ScoreRecording(new ScoreRecordingRequest
        {
            Upload = new UploadedRecording { FileName = LongId + ".txt", Content = Google.Protobuf.ByteString.CopyFromUtf8("x") },
        }).ResponseStream.MoveNext());

        AssertRefused(window, StatusCode.InvalidArgument, $"... ({LongId.Length} chars)' is not a spectrogram id");
        AssertRefused(version, StatusCode.NotFound, $"... ({LongId.Length} chars)");
        AssertRefused(upload, StatusCode.InvalidArgument, $"... ({LongId.Length + 4} chars)");
        await AssertServingAsync();
    }

    [Fact]
    public async Task StreamsBeyondTheOpenStreamLimitAreRefusedByName()
    {
        using var factory = new InferenceFactory(repository => TinyOnnxModel.EegFavouring(2).Publish(repository, "e1"),
            new Dictionary<string, string> { ["Hbac:MaxOpenStreams"] = "2" });
        var client = new Contracts.V1.Inference.InferenceClient(factory.CreateChannel());
        var chunk = Inputs.Chunks(Inputs.Eeg(1), 200).First();
        using var first = client.StreamEeg();
        using var second = client.StreamEeg();
        await first.RequestStream.WriteAsync(chunk);
        await second.RequestStream.WriteAsync(chunk);
        var limit = factory.Services.GetRequiredService<HbacAspire.ServiceDefaults.Streams.OpenStreamLimit>();
        await WaitUntilAsync(() => limit.Open == 2);

        using var third = client.StreamEeg();
        var refused = await Streams.RefusedAsync(third, [chunk]);
        first.Dispose(); // abandoned: cancelled by the client
        await WaitUntilAsync(() => limit.Open == 1);
        using var fourth = client.StreamEeg();
        await fourth.RequestStream.WriteAsync(chunk);
        await fourth.RequestStream.CompleteAsync();

        AssertRefused(refused, StatusCode.ResourceExhausted, "at most 2 at once (Hbac:MaxOpenStreams)");
        Assert.False(await fourth.ResponseStream.MoveNext()); // 1 s of signal: accepted, no window yet
        Assert.Equal(StatusCode.OK, fourth.GetStatus().StatusCode);
    }

    [Fact]
    public async Task AThousandAbandonedStreamsGiveTheirMemoryBack()
    {
        // The service runs in this test process, so the process's RSS is the service's plus the test's
        // (the client side of 1,000 calls included); the service's own share is its managed heap, which is
        // what a stream allocates. Both are read without forcing a collection: the service must give the
        // memory back by itself once the streams are gone. A stream allocates its 50-s window buffer
        // (0.8 MB) on opening, so 1 s of signal each is enough to hold ~1 GB (the service as its own
        // process, without the collection: 130 MB at start, 997 MB with the streams, 1049 MB 10 s after).
        var chunk = Inputs.Chunks(Inputs.Eeg(1), 200).Single();
        await AssertServingAsync();
        var rssStart = RssMegabytes();
        var limit = _factory.Services.GetRequiredService<HbacAspire.ServiceDefaults.Streams.OpenStreamLimit>();
        var clock = Stopwatch.StartNew();

        using (var cancel = new CancellationTokenSource())
        {
            var calls = await Task.WhenAll(Enumerable.Range(0, 1000).Select(async _ =>
            {
                var call = _client.StreamEeg(cancellationToken: cancel.Token);
                await call.RequestStream.WriteAsync(chunk);
                return call;
            }));
            await WaitUntilAsync(() => limit.Open == 1000);
            cancel.Cancel();
            foreach (var call in calls)
            {
                call.Dispose();
            }
        }
        await WaitUntilAsync(() => limit.Open == 0);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var rssAfter = RssMegabytes();

        Assert.True(rssAfter - rssStart < 500, $"RSS {rssStart} MB at start, {rssAfter} MB after 1,000 abandoned streams ({clock.Elapsed.TotalSeconds:0.0} s)");
        await AssertServingAsync();
    }

    private async Task AssertServingAsync() =>
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await _health.CheckAsync(new HealthCheckRequest())).Status);

    private static void AssertRefused(RpcException error, StatusCode code, string detail)
    {
        Assert.Equal(code, error.StatusCode);
        Assert.Contains(detail, error.Status.Detail);
        Assert.True(error.Status.Detail.Length <= StatusDetail.MaxDetailChars + 40, $"detail of {error.Status.Detail.Length} chars");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the service");
            await Task.Delay(20);
        }
    }

    internal static long RssMegabytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
    }
}
