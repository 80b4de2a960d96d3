using Hbac.Contracts;
using OpenTelemetry.Metrics;

namespace HbacAspire.ServiceDefaults.Metrics;

/// <summary>
/// Bucket boundaries for the "Hbac" histograms. OpenTelemetry's defaults (0, 5, 10, 25, ... 10000)
/// put every KL value of a run into one bucket, so the dashboard's percentile chart of the
/// validation KL read 5 for an epoch at 0.78; these boundaries fit what each instrument measures.
/// </summary>
public static class HbacHistogramViews
{
    /// <summary>KL divergence and training loss: 0.02 steps up to 1, 0.1 steps up to 3, then coarse.</summary>
    public static readonly double[] Losses =
    [
        .. Enumerable.Range(0, 51).Select(i => Math.Round(i * 0.02, 2)),
        .. Enumerable.Range(11, 20).Select(i => Math.Round(i * 0.1, 1)),
        4, 5, 7.5, 10, 20,
    ];

    /// <summary>Milliseconds, for request and model latencies.</summary>
    public static readonly double[] Milliseconds = [0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000, 10000, 30000];

    /// <summary>Windows per ONNX Runtime call.</summary>
    public static readonly double[] BatchSizes = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128];

    /// <summary>Training windows per second.</summary>
    public static readonly double[] Throughput = [1, 2, 5, 10, 15, 20, 30, 40, 50, 60, 70, 80, 100, 150, 200, 300, 500, 1000];

    public static MeterProviderBuilder AddHbacHistogramViews(this MeterProviderBuilder metrics) => metrics
        .AddView(HbacInstruments.TrainingLoss, Buckets(Losses))
        .AddView(HbacInstruments.TrainingValidationLoss, Buckets(Losses))
        .AddView(HbacInstruments.TrainingThroughput, Buckets(Throughput))
        .AddView(HbacInstruments.InferenceRequestDuration, Buckets(Milliseconds))
        .AddView(HbacInstruments.InferenceModelDuration, Buckets(Milliseconds))
        .AddView(HbacInstruments.RpcDuration, Buckets(Milliseconds))
        .AddView(HbacInstruments.InferenceBatchSize, Buckets(BatchSizes));

    private static ExplicitBucketHistogramConfiguration Buckets(double[] boundaries) => new() { Boundaries = boundaries };
}
