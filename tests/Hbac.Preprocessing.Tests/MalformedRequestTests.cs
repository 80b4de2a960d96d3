using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Hbac.Contracts.Streaming;
using Hbac.Contracts.V1;
using HbacAspire.ServiceDefaults.Requests;
using HbacAspire.ServiceDefaults.Streams;
using Microsoft.Extensions.DependencyInjection;

namespace Hbac.Preprocessing.Tests;

/// <summary>
/// Issue 12's malformed request classes 11-14 against the preprocessing service: each gets its own status
/// code with a bounded detail, and the service stays SERVING (and gives abandoned streams' memory back).
/// </summary>
public sealed class MalformedRequestTests : IDisposable
{
    private static readonly string LongId = new('x', 10_240);
    private readonly TestData _data = new();

    public void Dispose() => _data.Dispose();

    private static float[][] Eeg(int samples) =>
        Enumerable.Range(0, 20).Select(c => Enumerable.Range(0, samples).Select(s => (float)(30 * Math.Sin(2 * Math.PI * (2 + c) * s / 200.0))).ToArray()).ToArray();

    /// <summary>Sends the chunks on one StreamSpectrogram call and returns every reply, or throws the call's status.</summary>
    private static async Task<List<StreamSpectrogramResponse>> StreamAsync(PreprocessingHost host, IEnumerable<EegChunk> chunks)
    {
        using var call = host.Client.StreamSpectrogram();
        var replies = new List<StreamSpectrogramResponse>();
        var reading = Task.Run(async () =>
        {
            await foreach (var reply in call.ResponseStream.ReadAllAsync())
            {
                replies.Add(reply);
            }
        });
        try
        {
            foreach (var chunk in chunks)
            {
                await call.RequestStream.WriteAsync(new StreamSpectrogramRequest { Chunk = chunk });
            }
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException)
        {
            // The server ended the call early; its status comes out of the response stream below.
        }
        await reading;
        return replies;
    }

    [Theory]
    [InlineData(float.PositiveInfinity, SampleLayout.Interleaved)]
    [InlineData(float.NegativeInfinity, SampleLayout.ChannelMajor)]
    [InlineData(3.4e38f, SampleLayout.Interleaved)]
    public async Task AnInfiniteOrAbsurdSampleIsRefusedByChannelAndSampleNotTurnedIntoInfiniteColumns(float bad, SampleLayout layout)
    {
        // Class 14: +-Inf samples used to come back as columns holding Inf.
        await using var host = new PreprocessingHost(_data.Root);
        var eeg = Eeg(3000);
        eeg[12][1234] = bad;

        var error = await Assert.ThrowsAsync<RpcException>(() => StreamAsync(host, EegChunks.Split(eeg, 3000, layout)));

        AssertRefused(error, StatusCode.InvalidArgument, "(channel F4, sample 1234 of the chunk)");
        await AssertServingAsync(host);
    }

    [Fact]
    public async Task NaNSamplesAreMissingAndEveryColumnIsFinite()
    {
        await using var host = new PreprocessingHost(_data.Root);
        var eeg = Eeg(3000);
        Array.Fill(eeg[5], float.NaN, 100, 2000);

        var replies = await StreamAsync(host, EegChunks.Split(eeg, 700, SampleLayout.Interleaved));

        Assert.NotEmpty(replies);
        Assert.All(replies, reply => Assert.All(reply.Columns.ToFloats(), v => Assert.True(float.IsFinite(v))));
    }

    [Fact]
    public async Task ATenKilobyteIdOrPathIsEchoedTruncatedSoTheClientGetsTheRealCode()
    {
        // Class 13.
        await using var host = new PreprocessingHost(_data.Root);

        var window = await Assert.ThrowsAsync<RpcException>(() => host.Client.GetWindowAsync(new GetWindowRequest { SpectrogramId = LongId }).ResponseAsync);
        var path = await Assert.ThrowsAsync<RpcException>(() => host.Client.ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Path = LongId + "/a.parquet" }).ResponseAsync);
        // The parquet reader's own message names the upload: only the interceptor's bound applies to it.
        var upload = await Assert.ThrowsAsync<RpcException>(() => host.Client.ConvertSpectrogramAsync(new ConvertSpectrogramRequest
        {
            FileName = LongId + ".parquet",
            Content = ByteString.CopyFromUtf8("not a parquet file"),
        }).ResponseAsync);

        AssertRefused(window, StatusCode.InvalidArgument, $"... ({LongId.Length} chars)");
        AssertRefused(path, StatusCode.NotFound, $"... ({LongId.Length + 10} chars)");
        AssertRefused(upload, StatusCode.InvalidArgument, "xxxxxxxxxx");
        await AssertServingAsync(host);
    }

    [Fact]
    public async Task UploadsJustUnderTheLimitAreReadAndJustOverAreResourceExhaustedOnKestrel()
    {
        // Class 11, on real Kestrel: its default body limit (30,000,000 bytes) used to turn a legal upload
        // into Unknown. The limit is MaxUploadBytes (+ 64 KiB for the other fields) and nothing else.
        const int limit = 40_000_000;
        await using var host = new PreprocessingHost(_data.Root, kestrel: true, settings: new Dictionary<string, string>
        {
            ["Hbac:MaxUploadBytes"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var under = new ConvertSpectrogramRequest { FileName = "big.parquet", Content = ByteString.CopyFrom(new byte[limit]) };
        var over = new ConvertSpectrogramRequest { FileName = "big.parquet", Content = ByteString.CopyFrom(new byte[limit + PreprocessingOptions.MessageOverheadBytes]) };

        // Read (and refused as not a parquet file): the size was accepted.
        var read = await Assert.ThrowsAsync<RpcException>(() => host.Client.ConvertSpectrogramAsync(under).ResponseAsync);
        var tooBig = await Assert.ThrowsAsync<RpcException>(() => host.Client.ConvertSpectrogramAsync(over).ResponseAsync);

        AssertRefused(read, StatusCode.InvalidArgument, "big.parquet");
        Assert.Equal(StatusCode.ResourceExhausted, tooBig.StatusCode);
        await AssertServingAsync(host);
    }

    [Fact]
    public async Task AStreamOfMoreThanThirtyMegabytesInTotalIsNotCutOnKestrel()
    {
        // Kestrel's body limit counts a whole streaming call; a stream is limited per message only.
        await using var host = new PreprocessingHost(_data.Root, kestrel: true);
        var eeg = Eeg(2000);
        var chunk = EegChunks.Split(eeg, 2000, SampleLayout.Interleaved).Single(); // 160 kB
        const int chunks = 200; // 32 MB in total

        var replies = await StreamAsync(host, Enumerable.Repeat(chunk, chunks));

        Assert.Equal(Hbac.Eeg.Spectrograms.EegSpectrogram.ColumnCount(2000 * chunks), replies.Sum(r => (int)r.Columns.Shape[1]));
    }

    [Fact]
    public async Task StreamsBeyondTheOpenStreamLimitAreRefusedByName()
    {
        await using var host = new PreprocessingHost(_data.Root, settings: new Dictionary<string, string> { ["Hbac:MaxOpenStreams"] = "1" });
        var chunk = EegChunks.Split(Eeg(600), 600, SampleLayout.Interleaved).Single();
        var limit = host.Services.GetRequiredService<OpenStreamLimit>();
        using (var open = host.Client.StreamSpectrogram())
        {
            await open.RequestStream.WriteAsync(new StreamSpectrogramRequest { Chunk = chunk });
            Assert.True(await open.ResponseStream.MoveNext());

            var refused = await Assert.ThrowsAsync<RpcException>(() => StreamAsync(host, [chunk]));

            AssertRefused(refused, StatusCode.ResourceExhausted, "at most 1 at once (Hbac:MaxOpenStreams)");
        }
        await WaitUntilAsync(() => limit.Open == 0);
        Assert.NotEmpty(await StreamAsync(host, [chunk]));
    }

    [Fact]
    public async Task AThousandAbandonedStreamsGiveTheirMemoryBack()
    {
        // In-process: the RSS is this test process's (service and client together), read without forcing a collection.
        await using var host = new PreprocessingHost(_data.Root);
        var chunk = EegChunks.Split(Eeg(2000), 2000, SampleLayout.Interleaved).Single();
        var limit = host.Services.GetRequiredService<OpenStreamLimit>();
        await AssertServingAsync(host);
        var rssStart = RssMegabytes();

        using (var cancel = new CancellationTokenSource())
        {
            var calls = await Task.WhenAll(Enumerable.Range(0, 1000).Select(async _ =>
            {
                var call = host.Client.StreamSpectrogram(cancellationToken: cancel.Token);
                await call.RequestStream.WriteAsync(new StreamSpectrogramRequest { Chunk = chunk });
                await call.ResponseStream.MoveNext();
                return call;
            }));
            Assert.Equal(1000, limit.Open);
            cancel.Cancel();
            foreach (var call in calls)
            {
                call.Dispose();
            }
        }
        await WaitUntilAsync(() => limit.Open == 0);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var rssAfter = RssMegabytes();

        Assert.True(rssAfter - rssStart < 500, $"RSS {rssStart} MB at start, {rssAfter} MB after 1,000 abandoned streams");
        await AssertServingAsync(host);
    }

    private static async Task AssertServingAsync(PreprocessingHost host) =>
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await new Health.HealthClient(host.Channel).CheckAsync(new HealthCheckRequest())).Status);

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

    private static long RssMegabytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
    }
}
