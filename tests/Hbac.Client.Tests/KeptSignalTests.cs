using Hbac.Client.Streaming;
using Hbac.Contracts.V1;

namespace Hbac.Client.Tests;

public sealed class KeptSignalTests
{
    [Theory]
    // Nothing answered: everything from the stream's start (the first window is 0..50 s).
    [InlineData(30, null, 60, 0)]
    // Window ending 60 s answered: the next (62 s) starts at 12 s.
    [InlineData(70, 60, 60, 12)]
    // The oldest unanswered window lies further back than the cap: the cap wins.
    [InlineData(120, 50, 60, 60)]
    public void KeepsFromTheOldestUnansweredWindowAtMostTheCapBack(int sentSeconds, int? answeredSeconds, int capSeconds, int expectedSeconds)
    {
        var keepFrom = KeptSignal.KeepFrom(sentSeconds * 200L, answeredSeconds * 200L, capSeconds * 200);

        Assert.Equal(expectedSeconds * 200L, keepFrom);
    }

    [Fact]
    public void TrimKeepsTheChunkHoldingTheSampleWhole()
    {
        var kept = new KeptSignal();
        var chunks = Enumerable.Range(0, 3).Select(_ => new EegChunk()).ToArray();
        foreach (var chunk in chunks)
        {
            kept.Add(chunk, 200);
        }

        kept.Trim(250);

        Assert.Equal(200, kept.FirstKept);
        Assert.Same(chunks[1], kept.Chunks()[0]);
        Assert.Equal(2, kept.Chunks().Count);
        Assert.Equal(600, kept.Sent);
    }
}
