using Grpc.Core;
using Hbac.Contracts.Streaming;
using Hbac.Contracts.V1;
using Hbac.Eeg.Montage;
using Hbac.Eeg.Spectrograms;

namespace Hbac.Preprocessing.Tests;

public sealed class StreamSpectrogramTests : IDisposable
{
    private readonly TestData _data = new();

    public void Dispose() => _data.Dispose();

    /// <summary>20 channels of 200-Hz signal: a different sine and drift per channel, so every region differs.</summary>
    private static float[][] MakeEeg(int samples)
    {
        var channels = new float[KaggleMontage.Columns.Count][];
        for (var c = 0; c < channels.Length; c++)
        {
            channels[c] = new float[samples];
            for (var s = 0; s < samples; s++)
            {
                var t = s / 200.0;
                channels[c][s] = (float)(30 * Math.Sin(2 * Math.PI * (1.5 + c) * t) + 5 * Math.Cos(2 * Math.PI * 0.3 * t * (c % 3 + 1)) + c);
            }
        }
        return channels;
    }

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
    [InlineData(SampleLayout.Interleaved, 333)]
    [InlineData(SampleLayout.ChannelMajor, 1000)]
    // Chunks longer than the session's decode piece (1000 samples) are appended piece by piece.
    [InlineData(SampleLayout.Interleaved, 2345)]
    [InlineData(SampleLayout.ChannelMajor, 2345)]
    public async Task ColumnsEqualTheWholeRecordingSpectrogram(SampleLayout layout, int chunkSamples)
    {
        var eeg = MakeEeg(200 * 23 + 57);
        var expected = EegSpectrogram.Compute(new EegRecording(KaggleMontage.Columns, eeg, 200));
        await using var host = new PreprocessingHost(_data.Root);

        var replies = await StreamAsync(host, EegChunks.Split(eeg, chunkSamples, layout));

        var columns = replies.Sum(r => (int)r.Columns.Shape[1]);
        Assert.Equal(expected.Columns, columns);
        Assert.True(replies.Count > 2, $"{replies.Count} replies: columns must come out as they complete, not only at the end");
        var next = 0;
        foreach (var reply in replies)
        {
            Assert.Equal(next, reply.FirstColumnIndex);
            Assert.Equal(expected.Times[next], reply.FirstColumnTimeSeconds, 6);
            var values = reply.Columns.ToFloats();
            var n = (int)reply.Columns.Shape[1];
            for (var r = 0; r < SpectrogramLayout.Rows; r++)
            {
                for (var j = 0; j < n; j++)
                {
                    Assert.Equal(expected[r, next + j], values[r * n + j]);
                }
            }
            next += n;
        }
    }

    [Fact]
    public async Task ABadChunkIsInvalidArgumentAndTheNextStreamWorks()
    {
        await using var host = new PreprocessingHost(_data.Root);
        var bad = new EegChunk { Layout = SampleLayout.Interleaved };
        bad.Samples.AddRange(new float[21]);

        var error = await Assert.ThrowsAsync<RpcException>(() => StreamAsync(host, [bad]));
        var unspecified = await Assert.ThrowsAsync<RpcException>(() =>
            StreamAsync(host, [new EegChunk { Layout = SampleLayout.Unspecified, Samples = { new float[20] } }]));
        var good = await StreamAsync(host, EegChunks.Split(MakeEeg(2000), 500, SampleLayout.Interleaved));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("chunk.samples: ", error.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, unspecified.StatusCode);
        Assert.StartsWith("chunk.layout: ", unspecified.Status.Detail);
        Assert.Equal(EegSpectrogram.ColumnCount(2000), good.Sum(r => (int)r.Columns.Shape[1]));
    }

    [Fact]
    public async Task SendingFasterThanTheRateLimitIsResourceExhausted()
    {
        await using var host = new PreprocessingHost(_data.Root, settings: new Dictionary<string, string>
        {
            ["Hbac:MaxStreamSamplesPerSecond"] = "1",
            ["Hbac:StreamBurstSamples"] = "1000",
        });

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            StreamAsync(host, EegChunks.Split(MakeEeg(4000), 400, SampleLayout.Interleaved)));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.StartsWith("chunk: ", error.Status.Detail);
    }
}
