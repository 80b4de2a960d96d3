using Grpc.Core;
using HbacAspire.ServiceDefaults.Streams;

namespace HbacAspire.ServiceDefaults.Tests.Streams;

public sealed class OpenStreamLimitTests
{
    [Fact]
    public void AStreamBeyondTheLimitIsResourceExhaustedNamingTheSettingAndTheLimit()
    {
        var limit = new OpenStreamLimit(2, "Hbac:MaxOpenStreams");
        using var first = limit.Enter();
        using var second = limit.Enter();

        var refused = Assert.Throws<RpcException>(() => limit.Enter());

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Equal("too many open streams: this service holds at most 2 at once (Hbac:MaxOpenStreams); close a stream or retry later", refused.Status.Detail);
        Assert.Equal(2, limit.Open); // the refused stream took no place
    }

    [Fact]
    public void APlaceIsGivenBackOnceHoweverOftenItsLeaseIsDisposed()
    {
        var limit = new OpenStreamLimit(1, "Hbac:MaxOpenStreams");
        var lease = limit.Enter();

        lease.Dispose();
        lease.Dispose();
        using var next = limit.Enter();

        Assert.Equal(1, limit.Open);
        Assert.Throws<RpcException>(() => limit.Enter());
    }

    [Fact]
    public async Task ConcurrentStreamsNeverExceedTheLimit()
    {
        var limit = new OpenStreamLimit(8, "Hbac:MaxOpenStreams");
        var peak = 0;

        await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                try
                {
                    using var lease = limit.Enter();
                    var open = limit.Open;
                    InterlockedMax(ref peak, open);
                    await Task.Yield();
                }
                catch (RpcException)
                {
                    // Full at this instant: refused, as designed.
                }
            }
        })));

        Assert.InRange(peak, 1, 8);
        Assert.Equal(0, limit.Open);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }
}
