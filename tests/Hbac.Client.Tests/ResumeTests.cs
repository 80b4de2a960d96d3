using Xunit.Abstractions;
using Hbac.Client.Streaming;
using Hbac.Client.Tests.Support;
using Hbac.Contracts;
using Hbac.Contracts.Streaming;
using Hbac.Contracts.V1;
using Hbac.Eeg.Windows;
using Hbac.Inference.Tests.Support;

namespace Hbac.Client.Tests;

/// <summary>A stream whose replica dies resumes on the replica that takes over the same address.</summary>
public sealed class ResumeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AStreamResumesOnANewReplicaAtTheSameAddressWithItsSegmentTimesContinuing()
    {
        var first = new Replica();
        var port = first.Port;
        Replica? second = null;
        try
        {
            using var client = new EegStreamClient(Signals.Options(first.Address));
            await using var stream = client.OpenStream();
            var resumes = new List<StreamResume>();
            stream.Resumed += resumes.Add;
            var replies = new List<StreamEegResponse>();
            var reading = Task.Run(async () =>
            {
                await foreach (var reply in stream.ReadAllAsync())
                {
                    lock (replies)
                    {
                        replies.Add(reply);
                    }
                }
            });
            var chunks = Signals.Chunks(90);
            // 60 s to the first replica; its six replies (windows ending 50..60 s) arrive.
            foreach (var chunk in chunks[..60])
            {
                await stream.SendAsync(chunk);
            }
            await WaitUntil(() => { lock (replies) { return replies.Count == 6; } });

            // The replica dies with the stream open; another comes up at the same address.
            first.Dispose();
            second = new Replica(port);
            foreach (var chunk in chunks[60..])
            {
                await stream.SendAsync(chunk);
            }
            await stream.CompleteAsync();
            await reading.WaitAsync(TimeSpan.FromSeconds(60));

            resumes.ForEach(r => output.WriteLine($"resume {r.Attempt}: {r.Failure.StatusCode} ({r.Failure.Detail}), from sample {r.FirstSampleIndex}, {r.ResentSeconds} s re-sent"));
            Assert.True(stream.Resumes >= 1, "the stream never reconnected");
            Assert.NotEmpty(resumes);
            var resume = resumes[^1];
            Assert.Equal(60.0, resume.LastDeliveredWindowEndSeconds);
            // The kept signal starts at the oldest unanswered window (ending 62 s, starting 12 s).
            Assert.Equal(12 * EegStream.SampleRateHz, resume.FirstSampleIndex);
            // Windows ending 50, 52, ..., 90 s: each segment once, in order, on the unbroken stream's clock.
            var ends = replies.Select(r => r.WindowEndSeconds).ToArray();
            Assert.Equal(Enumerable.Range(0, 21).Select(i => 50.0 + 2 * i), ends);
            Assert.Equal(ends.Select(e => (e - 30, e - 20)), replies.Select(r => (r.SegmentStartSeconds, r.SegmentEndSeconds)));
            Assert.All(replies.Zip(replies.Skip(1)), p => Assert.True(p.Second.SegmentStartSeconds - p.First.SegmentStartSeconds <= 2.0));
            // Every reply answered before the kill, and the kept signal covers the next window: nothing lost.
            Assert.Equal(0, stream.RepliesLost);
            Assert.Equal(21, stream.Delivered);
        }
        finally
        {
            first.Dispose();
            second?.Dispose();
        }
    }

    [Fact]
    public async Task RepliesInFlightPastTheKeptSignalAreLostAndCountedTheRestContinueOnTheNewReplica()
    {
        // The first replica answers the window ending at 50 s and holds the next ones until it dies.
        var first = new Replica(stallAfterWindows: 1);
        var port = first.Port;
        Replica? second = null;
        try
        {
            // Keep only the last window (50 s), and a watchdog slower than the test, so the loss is the resume's own.
            using var client = new EegStreamClient(Signals.Options(first.Address) with { MaxKeptSeconds = 50, ReplyTimeout = TimeSpan.FromSeconds(20) });
            await using var stream = client.OpenStream();
            var replies = new List<StreamEegResponse>();
            var reading = Task.Run(async () =>
            {
                await foreach (var reply in stream.ReadAllAsync())
                {
                    lock (replies)
                    {
                        replies.Add(reply);
                    }
                }
            });
            var signal = Inputs.Eeg(100);
            var chunks = EegChunks.Split(signal, EegStream.SampleRateHz, SampleLayout.Interleaved).ToArray();
            // The one reply comes before the next 30 s go out, so only trimming as chunks go (not as replies
            // come) keeps the stream within its 50 s.
            foreach (var chunk in chunks[..50])
            {
                await stream.SendAsync(chunk);
            }
            await WaitUntil(() => { lock (replies) { return replies.Count == 1; } });
            foreach (var chunk in chunks[50..80])
            {
                await stream.SendAsync(chunk);
            }
            // 80 s sent, windows ending 52..80 s in flight: the replica dies, another takes its address.
            var resumed = ResumedOnce(stream);
            first.Dispose();
            second = new Replica(port);
            // The rest goes once the kept signal is re-sent, so the resume starts from exactly 80 s sent.
            await resumed.WaitAsync(TimeSpan.FromSeconds(30));
            foreach (var chunk in chunks[80..])
            {
                await stream.SendAsync(chunk);
            }
            await stream.CompleteAsync();
            await reading.WaitAsync(TimeSpan.FromSeconds(60));

            output.WriteLine($"delivered {stream.Delivered} of 26, lost {stream.RepliesLost}, duplicates dropped {stream.DuplicatesDropped}, reconnects {stream.Resumes}");
            // The kept 50 s start at 30 s (80 s sent), so the new replica's first window ends at 80 s: the
            // 14 windows ending 52..78 s, in flight on the dead replica, are what the resume lost.
            Assert.Equal([50.0, .. Enumerable.Range(0, 11).Select(i => 80.0 + 2 * i)], replies.Select(r => r.WindowEndSeconds));
            Assert.Equal(14, stream.RepliesLost);
            Assert.Equal(12, stream.Delivered);
            Assert.Equal(0, stream.DuplicatesDropped);
            // Each reply scores exactly the 50 s its times name, as an unbroken stream would.
            foreach (var reply in replies)
            {
                var start = (int)Math.Round((reply.WindowEndSeconds - EegStream.ScoredWindowSeconds) * EegStream.SampleRateHz);
                Assert.Equal(reply.WindowEndSeconds - 30, reply.SegmentStartSeconds);
                Inputs.AssertProbabilities(Replica.EegModel.Expected(Inputs.ChannelMaxima(EegWindow.Compute(signal, start))), reply.Probabilities);
            }
        }
        finally
        {
            first.Dispose();
            second?.Dispose();
        }
    }

    [Fact]
    public async Task WithTheDefaultKeptSignalMoreOfTheSameInFlightRepliesAreScoredAgain()
    {
        var first = new Replica(stallAfterWindows: 1);
        var port = first.Port;
        Replica? second = null;
        try
        {
            // Default MaxKeptSeconds (60 s): 80 s sent with windows 52..80 unanswered, the kept signal starts at 20 s.
            using var client = new EegStreamClient(Signals.Options(first.Address) with { ReplyTimeout = TimeSpan.FromSeconds(20) });
            await using var stream = client.OpenStream();
            var reading = stream.ReadAllAsync().ToListAsync().AsTask();
            var chunks = Signals.Chunks(100);
            foreach (var chunk in chunks[..50])
            {
                await stream.SendAsync(chunk);
            }
            await WaitUntil(() => stream.Delivered == 1);
            foreach (var chunk in chunks[50..80])
            {
                await stream.SendAsync(chunk);
            }
            var resumed = ResumedOnce(stream);
            first.Dispose();
            second = new Replica(port);
            var resume = await resumed.WaitAsync(TimeSpan.FromSeconds(30));
            foreach (var chunk in chunks[80..])
            {
                await stream.SendAsync(chunk);
            }
            await stream.CompleteAsync();
            var replies = await reading.WaitAsync(TimeSpan.FromSeconds(60));

            output.WriteLine($"delivered {stream.Delivered} of 26, lost {stream.RepliesLost}, reconnects {stream.Resumes}");
            Assert.Equal(20 * EegStream.SampleRateHz, resume.FirstSampleIndex);
            // Re-sent from 20 s: windows ending 70..100 s come (70..80 scored again); 52..68 s, 9 of the 15 in flight, are lost.
            Assert.Equal([50.0, .. Enumerable.Range(0, 16).Select(i => 70.0 + 2 * i)], replies.Select(r => r.WindowEndSeconds));
            Assert.Equal(9, stream.RepliesLost);
        }
        finally
        {
            first.Dispose();
            second?.Dispose();
        }
    }

    // Completes with the first resume whose kept signal went out.
    private static Task<StreamResume> ResumedOnce(ResilientEegStream stream)
    {
        var done = new TaskCompletionSource<StreamResume>(TaskCreationOptions.RunContinuationsAsynchronously);
        stream.Resumed += r => done.TrySetResult(r);
        return done.Task;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for replies");
            await Task.Delay(20);
        }
    }
}
