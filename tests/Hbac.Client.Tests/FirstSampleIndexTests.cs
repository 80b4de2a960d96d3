using Grpc.Core;
using Hbac.Client.Tests.Support;
using Hbac.Contracts.V1;

namespace Hbac.Client.Tests;

/// <summary>The server side of a resume: StreamEegRequest.first_sample_index sets where the call lies in the stream.</summary>
public sealed class FirstSampleIndexTests : IDisposable
{
    private readonly Replica _replica = new();

    [Fact]
    public async Task RepliesKeepTheStreamsClockAndTwoSecondGrid()
    {
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(_replica.Address);
        using var call = new Contracts.V1.Inference.InferenceClient(channel).StreamEeg(
            new Metadata { { "authorization", "Bearer " + TestApiKey.Value } }, DateTime.UtcNow.AddSeconds(30));
        // 55 s of signal whose first sample is sample 1000 of the stream (5 s in): the first window wholly
        // inside it ends at 56 s on the unbroken stream's grid 50, 52, ... (55 s is off the grid).
        var chunks = Signals.Chunks(55);
        for (var i = 0; i < chunks.Length; i++)
        {
            var request = new StreamEegRequest { Chunk = chunks[i] };
            if (i == 0)
            {
                request.FirstSampleIndex = 1000;
            }
            await call.RequestStream.WriteAsync(request);
        }
        await call.RequestStream.CompleteAsync();
        var replies = await call.ResponseStream.ReadAllAsync().ToListAsync();

        // Signal covers 5..60 s: windows end at 56, 58, 60 on the unbroken stream's grid; segments are their centres.
        Assert.Equal([56.0, 58.0, 60.0], replies.Select(r => r.WindowEndSeconds));
        Assert.Equal([(26.0, 36.0), (28.0, 38.0), (30.0, 40.0)], replies.Select(r => (r.SegmentStartSeconds, r.SegmentEndSeconds)));
        // Each window formed as its last second arrived.
        Assert.Equal([20.0, 20.0, 20.0], replies.Select(r => r.LagSeconds));
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData((1L << 40) + 1)]
    public async Task ABadIndexIsInvalidArgumentNamingTheField(long index)
    {
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(_replica.Address);
        using var call = new Contracts.V1.Inference.InferenceClient(channel).StreamEeg(
            new Metadata { { "authorization", "Bearer " + TestApiKey.Value } }, DateTime.UtcNow.AddSeconds(30));

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await call.RequestStream.WriteAsync(new StreamEegRequest { Chunk = Signals.Chunks(1)[0], FirstSampleIndex = index });
            await call.ResponseStream.MoveNext();
        });

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("first_sample_index", error.Status.Detail);
        Assert.Contains(index.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Status.Detail);
    }

    public void Dispose() => _replica.Dispose();
}
