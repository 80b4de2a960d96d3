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
    public async Task RepliesInFlightWhenTheReplicaDiesAreReScoredOrCountedAsLostAndNeverMoreThanTheKeptSignalAllows()
    {
        var first = new Replica();
        var port = first.Port;
        Replica? second = null;
        try
        {
            // Keep only the last window, so replies still in flight past it are lost rather than re-scored.
            using var client = new EegStreamClient(Signals.Options(first.Address) with { MaxKeptSeconds = 50 });
            await using var stream = client.OpenStream();
            var replies = new List<StreamEegResponse>();
            var reading = Task.Run(async () =>
            {
                await foreach (var reply in stream.ReadAllAsync())
                {
                    replies.Add(reply);
                }
            });
            var signal = Inputs.Eeg(100);
            var chunks = EegChunks.Split(signal, EegStream.SampleRateHz, SampleLayout.Interleaved).ToArray();
            // 80 s as fast as the replica takes them (16 windows), and the replica dies at once, its replies in flight.
            foreach (var chunk in chunks[..80])
            {
                await stream.SendAsync(chunk);
            }
            first.Dispose();
            second = new Replica(port);
            foreach (var chunk in chunks[80..])
            {
                await stream.SendAsync(chunk);
            }
            await stream.CompleteAsync();
            await reading.WaitAsync(TimeSpan.FromSeconds(60));

            output.WriteLine($"delivered {stream.Delivered} of 26, lost {stream.RepliesLost}, duplicates dropped {stream.DuplicatesDropped}, reconnects {stream.Resumes}");
            var ends = replies.Select(r => r.WindowEndSeconds).ToArray();
            Assert.Equal(ends.Order(), ends);
            Assert.Equal(ends.Distinct(), ends);
            Assert.Equal(100.0, ends[^1]);
            Assert.True(stream.Resumes >= 1, "the stream never reconnected");
            // Windows ending 50, 52, ..., 100 s: each one either delivered once or counted as lost.
            Assert.Equal(26, stream.Delivered + stream.RepliesLost);
            Assert.Equal(ends.Length, stream.Delivered);
            // What a resume can lose: the windows ending before the kept 50 s (re-sent from at least 30 s, so
            // the first re-scored window ends at 80 s at the latest): those ending 50..78 s, 15 at most.
            Assert.InRange(stream.RepliesLost, 0, 15);
            Assert.Equal(11, ends.Count(e => e >= 80));
            // Each reply scores exactly the 50 s its times name, as an unbroken stream would.
            foreach (var reply in replies)
            {
                var start = (int)Math.Round((reply.WindowEndSeconds - EegStream.ScoredWindowSeconds) * EegStream.SampleRateHz);
                var input = EegWindow.Compute(signal, start);
                Inputs.AssertProbabilities(Replica.EegModel.Expected(Inputs.ChannelMaxima(input)), reply.Probabilities);
            }
        }
        finally
        {
            first.Dispose();
            second?.Dispose();
        }
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
