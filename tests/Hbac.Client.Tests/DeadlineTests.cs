using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Hbac.Client.Tests.Support;
using Hbac.Contracts.V1;

namespace Hbac.Client.Tests;

/// <summary>No replica alive: every call ends within its deadline, a stream with Unavailable, and nothing hangs.</summary>
public sealed class DeadlineTests
{
    private static EegStreamClientOptions Short(Uri address) => Signals.Options(address) with
    {
        ConnectTimeout = TimeSpan.FromSeconds(1),
        ReplyTimeout = TimeSpan.FromSeconds(1),
        CallDeadline = TimeSpan.FromSeconds(1),
        ResumeDeadline = TimeSpan.FromSeconds(3),
        MaxResumes = 3,
    };

    [Fact]
    public async Task AStreamToAClosedPortFailsWithUnavailableWithinItsDeadline()
    {
        var address = new Uri($"http://127.0.0.1:{ClosedPort()}");

        var (error, elapsed) = await StreamUntilFailureAsync(Short(address));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("no inference replica answered", error.Status.Detail);
        // ResumeDeadline (3 s) plus one attempt's bound; far below the 30-s guard.
        Assert.True(elapsed < TimeSpan.FromSeconds(8), $"took {elapsed}");
    }

    [Fact]
    public async Task AStreamToAListenerThatNeverAnswersFailsWithUnavailableWithinItsDeadline()
    {
        using var silent = new SilentListener();

        var (error, elapsed) = await StreamUntilFailureAsync(Short(silent.Address));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.True(silent.Accepted >= 2, $"{silent.Accepted} connections: the stream did not reconnect");
        Assert.True(elapsed < TimeSpan.FromSeconds(12), $"took {elapsed}");
    }

    [Fact]
    public async Task AUnaryCallToAListenerThatNeverAnswersEndsAtItsDeadline()
    {
        using var silent = new SilentListener();
        // Only the deadline may end this call: the connection's own bounds (connect timeout, keep-alive ping
        // after ReplyTimeout) are set far above it, as with 1 s each a slow machine let the ping fail first (Internal).
        using var client = new EegStreamClient(Short(silent.Address) with
        {
            ConnectTimeout = TimeSpan.FromSeconds(20),
            ReplyTimeout = TimeSpan.FromSeconds(20),
        });
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RpcException>(() => client.Inference.ListModelsAsync(new ListModelsRequest()).ResponseAsync.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    // Sends 60 s of signal and reads; the guard turns a hang into a failure instead of a stuck test run.
    private static async Task<(RpcException Error, TimeSpan Elapsed)> StreamUntilFailureAsync(EegStreamClientOptions options)
    {
        using var client = new EegStreamClient(options);
        await using var stream = client.OpenStream();
        var clock = Stopwatch.StartNew();
        var run = Task.Run(async () =>
        {
            var reading = Task.Run(async () =>
            {
                await foreach (var _ in stream.ReadAllAsync())
                {
                    Assert.Fail("a reply from nowhere");
                }
            });
            foreach (var chunk in Signals.Chunks(60))
            {
                await stream.SendAsync(chunk);
            }
            await stream.CompleteAsync();
            await reading;
        });
        var error = await Assert.ThrowsAsync<RpcException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
        return (error, clock.Elapsed);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
