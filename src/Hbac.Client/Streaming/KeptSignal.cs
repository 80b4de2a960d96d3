using Hbac.Contracts;
using Hbac.Contracts.V1;

namespace Hbac.Client.Streaming;

/// <summary>
/// The signal a stream keeps to re-send when it resumes: the chunks it sent, whole, from the one holding
/// <see cref="Trim"/>'s sample on. The chunks are kept by reference (never copied or changed), so callers
/// that send the same chunks on many streams share them.
/// </summary>
internal sealed class KeptSignal
{
    private readonly Queue<(long Start, int Samples, EegChunk Chunk)> _chunks = new();

    /// <summary>Samples per channel sent since the stream began.</summary>
    public long Sent { get; private set; }

    /// <summary>Index in the stream of the first kept sample (Sent when nothing is kept).</summary>
    public long FirstKept => _chunks.Count > 0 ? _chunks.Peek().Start : Sent;

    public void Add(EegChunk chunk, int samples)
    {
        _chunks.Enqueue((Sent, samples, chunk));
        Sent += samples;
    }

    /// <summary>Drops the chunks that end at or before <paramref name="keepFrom"/> (the chunk holding it stays, whole).</summary>
    public void Trim(long keepFrom)
    {
        while (_chunks.Count > 0 && _chunks.Peek().Start + _chunks.Peek().Samples <= keepFrom)
        {
            _chunks.Dequeue();
        }
    }

    public IReadOnlyList<EegChunk> Chunks() => _chunks.Select(c => c.Chunk).ToArray();

    /// <summary>
    /// The first sample a resume needs: the start of the oldest window not answered (the one ending one step
    /// after <paramref name="lastAnsweredWindowEnd"/>; 0 before the first answer), but no earlier than
    /// <paramref name="maxKeptSamples"/> before the newest sample.
    /// </summary>
    public static long KeepFrom(long sent, long? lastAnsweredWindowEnd, int maxKeptSamples)
    {
        var oldestUnanswered = (lastAnsweredWindowEnd ?? EegStream.ScoredWindowSamples - EegStream.ReplyEverySamples)
            + EegStream.ReplyEverySamples - EegStream.ScoredWindowSamples;
        return Math.Max(oldestUnanswered, sent - maxKeptSamples);
    }
}
