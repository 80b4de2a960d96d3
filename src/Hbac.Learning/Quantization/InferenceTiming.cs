using System.Diagnostics;
using Hbac.Eeg.Metrics;
using Hbac.Eeg.Windows;
using Hbac.Onnx;

namespace Hbac.Learning.Quantization;

/// <summary>
/// ms per window of two classifiers on the same batch, measured alternately (A, B, A, B, ...) after a
/// warm-up so that both see the same machine state, reported as the median round (a burst of load from
/// another process moves the mean of a few rounds by tens of percent on 2 cores, the median much less).
/// The batch is scored where it lies, as the inference service scores its batches: copying 1.44 MB per
/// window first (the span overload) would add the same memory traffic to both and hide part of the
/// difference (the quick EEG model at batch 16, 1 thread: 0.65x without the copy, 0.68x with it).
/// </summary>
public static class InferenceTiming
{
    /// <remarks>
    /// Models that start with the same input pool (the quick EEG profile's 1 x 30, the quick spectrogram profile's
    /// 6 x 6) are timed on the pooled window, as the service hands it to them: the pool is not part of either model's run.
    /// </remarks>
    public static TimingComparison Compare(OnnxClassifier fp32, OnnxClassifier int8, ReadOnlySpan<float> window, int batchSize,
        TimeSpan budget, CancellationToken ct = default)
    {
        if (!fp32.Pooling.IsNone && fp32.Pooling == int8.Pooling && window.Length == InputPooling.FullSize)
        {
            var pooled = new float[fp32.InputSize];
            fp32.Pooling.Pool(window, 1, pooled);
            window = pooled;
        }
        var batch = new float[batchSize * window.Length];
        for (var i = 0; i < batchSize; i++)
        {
            window.CopyTo(batch.AsSpan(i * window.Length));
        }
        var input = (ReadOnlyMemory<float>)batch;
        for (var i = 0; i < 3; i++)
        {
            fp32.Predict(input, batchSize);
            int8.Predict(input, batchSize);
        }
        var fp32Times = new List<double>();
        var int8Times = new List<double>();
        var rounds = 0;
        var clock = Stopwatch.StartNew();
        while (rounds < 5 || clock.Elapsed < budget)
        {
            ct.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            fp32.Predict(input, batchSize);
            var middle = Stopwatch.GetTimestamp();
            int8.Predict(input, batchSize);
            var end = Stopwatch.GetTimestamp();
            fp32Times.Add(Stopwatch.GetElapsedTime(start, middle).TotalMilliseconds);
            int8Times.Add(Stopwatch.GetElapsedTime(middle, end).TotalMilliseconds);
            rounds++;
        }
        return new TimingComparison(batchSize, Statistics.Median(fp32Times) / batchSize, Statistics.Median(int8Times) / batchSize, rounds);
    }
}
