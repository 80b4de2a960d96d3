using Hbac.Client.Tests.Support;
using Hbac.Contracts.V1;

namespace Hbac.Client.Tests;

/// <summary>Streams through one address spread: each has its own TCP connection, which a per-connection proxy balances.</summary>
public sealed class ConnectionTests
{
    [Fact]
    public async Task EachStreamOpensItsOwnConnection()
    {
        using var replica = new Replica();
        await using var proxy = new TcpForwarder(replica.Port);
        using var client = new EegStreamClient(Signals.Options(proxy.Address));
        var chunks = Signals.Chunks(50);

        var streams = Enumerable.Range(0, 4).Select(_ => client.OpenStream()).ToArray();
        var replies = await Task.WhenAll(streams.Select(async stream =>
        {
            var reading = stream.ReadAllAsync().ToListAsync().AsTask();
            foreach (var chunk in chunks)
            {
                await stream.SendAsync(chunk);
            }
            await stream.CompleteAsync();
            return await reading;
        }));
        foreach (var stream in streams)
        {
            await stream.DisposeAsync();
        }

        Assert.All(replies, r => Assert.Equal([50.0], r.Select(x => x.WindowEndSeconds)));
        // One connection per stream; the client's own (unary) connection was never used.
        Assert.Equal(4, proxy.Accepted);
        Assert.Equal(1 + 4, client.ChannelsOpened);
    }

    [Fact]
    public async Task RoundRobinBalancingStreamsThroughADnsAddress()
    {
        using var replica = new Replica();
        using var client = new EegStreamClient(Signals.Options(new Uri($"dns:///127.0.0.1:{replica.Port}")) with { Balancing = StreamBalancing.RoundRobin });
        await using var stream = client.OpenStream();

        var reading = stream.ReadAllAsync().ToListAsync().AsTask();
        foreach (var chunk in Signals.Chunks(52))
        {
            await stream.SendAsync(chunk);
        }
        await stream.CompleteAsync();
        var replies = await reading.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([50.0, 52.0], replies.Select(r => r.WindowEndSeconds));
        Assert.Equal("e1", (await client.Inference.ListModelsAsync(new ListModelsRequest())).ActiveEegVersion);
    }
}
