using System.Threading.Channels;
using Hbac.Eeg.Formats;
using Hbac.Eeg.Windows;

namespace Hbac.Eeg.Reports;

/// <summary>Scores <c>count</c> model inputs laid out [count,3,400,300], or pooled as the scorer asked (the array holds exactly those): one float[6] per input.</summary>
public delegate Task<IReadOnlyList<float[]>> BatchScorer(float[] inputs, int count, CancellationToken cancellationToken);

/// <summary>
/// Scores every segment of a recording with an EEG-window model, with the preprocessing streams use:
/// the recording goes chunk by chunk through <see cref="EegWindowStream"/> (stepping <c>step</c> seconds
/// instead of 2), whose windows are scored in batches by a <see cref="BatchScorer"/> (the command's ONNX
/// classifier, or the inference service's batcher). Each window
/// describes its centre 10 s, so the first segment is 20-30 s (the first 50-s window) and the last one
/// ends 20 s before the end of the last whole window: the first and last 20 s are never a segment's
/// centre and are not scored. Reading and preprocessing run on one thread, the model on another. With a
/// <c>pooling</c> (the model's first node, done here: <see cref="InputPooling"/>) the windows are formed pooled,
/// as streams form them.
/// </summary>
public static class RecordingScorer
{
    public const int BatchSize = 16;
    private const int ChunkSeconds = 10;

    private sealed record PendingWindow(EegStreamWindow Window, SegmentQuality Quality);

    /// <param name="progress">Seconds of the recording read so far.</param>
    /// <param name="scored">Called with each batch of new segments, in time order, as they are scored.</param>
    public static async Task<IReadOnlyList<SegmentScore>> ScoreAsync(
        ChunkedRecording recording, BatchScorer score, int stepSeconds, Action<double>? progress, CancellationToken ct,
        Func<IReadOnlyList<SegmentScore>, Task>? scored = null, InputPooling? pooled = null)
    {
        var pooling = pooled ?? InputPooling.None;
        var size = pooling.Size;
        // Input arrays go back to this pool once copied into a batch: at most the channel's capacity plus a batch are alive.
        var pool = new System.Collections.Concurrent.ConcurrentBag<float[]>();
        var windows = Channel.CreateBounded<PendingWindow>(new BoundedChannelOptions(2 * BatchSize) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(async () =>
        {
            try
            {
                var stream = new EegWindowStream(stepSeconds: stepSeconds, newInput: length => pool.TryTake(out var recycled) ? recycled : new float[length]) { Pooling = pooling };
                var quality = SignalQualityTracker.For(recording);
                double read = 0;
                foreach (var chunk in recording.ReadChunks(ChunkSeconds))
                {
                    ct.ThrowIfCancellationRequested();
                    quality.Append(chunk);
                    foreach (var window in stream.Append(chunk.Columns))
                    {
                        var segmentQuality = quality.Segment((int)Math.Round(window.SegmentStartSeconds), (int)Math.Round(window.SegmentEndSeconds));
                        await windows.Writer.WriteAsync(new PendingWindow(window, segmentQuality), ct);
                    }
                    read += chunk.Samples / (double)EegWindow.SampleRateHz;
                    progress?.Invoke(read);
                }
                windows.Writer.Complete();
            }
            catch (Exception e)
            {
                windows.Writer.Complete(e);
            }
        }, ct);

        var segments = new List<SegmentScore>();
        var batch = new List<PendingWindow>(BatchSize);
        // One batch array reused (the scorer is awaited before the next batch is filled); only a last, partial batch gets its own.
        var full = new float[BatchSize * size];
        async Task Flush()
        {
            var inputs = batch.Count == BatchSize ? full : new float[batch.Count * size];
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Window.Input.CopyTo(inputs, i * size);
                pool.Add(batch[i].Window.Input);
            }
            var probabilities = await score(inputs, batch.Count, ct);
            var added = new List<SegmentScore>(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                var w = batch[i].Window;
                added.Add(new SegmentScore(w.SegmentStartSeconds, w.SegmentEndSeconds, probabilities[i], batch[i].Quality));
            }
            segments.AddRange(added);
            batch.Clear();
            if (scored is not null)
            {
                await scored(added);
            }
        }
        await foreach (var pending in windows.Reader.ReadAllAsync(ct))
        {
            batch.Add(pending);
            if (batch.Count == BatchSize)
            {
                await Flush();
            }
        }
        if (batch.Count > 0)
        {
            await Flush();
        }
        await producer;
        return segments;
    }
}
