using System.Diagnostics;
using Hbac.Onnx;

namespace Hbac.Learning.Quantization;

/// <summary>
/// ms per window of two classifiers on the same batch, measured alternately (A, B, A, B, ...) after a
/// warm-up so that both see the same machine state: the ratio is what means something on a shared box.
/// </summary>
public static class InferenceTiming
{
    public static TimingComparison Compare(OnnxClassifier fp32, OnnxClassifier int8, ReadOnlySpan<float> window, int batchSize,
        TimeSpan budget, CancellationToken ct = default)
    {
        var batch = new float[batchSize * window.Length];
        for (var i = 0; i < batchSize; i++)
        {
            window.CopyTo(batch.AsSpan(i * window.Length));
        }
        for (var i = 0; i < 3; i++)
        {
            fp32.Predict(batch, batchSize);
            int8.Predict(batch, batchSize);
        }
        var fp32Time = TimeSpan.Zero;
        var int8Time = TimeSpan.Zero;
        var rounds = 0;
        var clock = Stopwatch.StartNew();
        while (rounds < 5 || clock.Elapsed < budget)
        {
            ct.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            fp32.Predict(batch, batchSize);
            var middle = Stopwatch.GetTimestamp();
            int8.Predict(batch, batchSize);
            var end = Stopwatch.GetTimestamp();
            fp32Time += Stopwatch.GetElapsedTime(start, middle);
            int8Time += Stopwatch.GetElapsedTime(middle, end);
            rounds++;
        }
        var windows = (double)rounds * batchSize;
        return new TimingComparison(batchSize, fp32Time.TotalMilliseconds / windows, int8Time.TotalMilliseconds / windows);
    }
}
