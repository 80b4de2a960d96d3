using System.Diagnostics;
using System.Diagnostics.Metrics;
using Hbac.Contracts;

namespace Hbac.Inference.Scoring;

/// <summary>The inference instruments on the shared "Hbac" meter (names in <see cref="HbacInstruments"/>).</summary>
public sealed class InferenceMetrics
{
    private readonly Histogram<double> _requestDuration;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _modelDuration;
    private readonly Counter<long> _rejected;

    public InferenceMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(HbacInstruments.MeterName);
        _requestDuration = meter.CreateHistogram<double>(HbacInstruments.InferenceRequestDuration, "ms", "Time from a scoring request to its result");
        _batchSize = meter.CreateHistogram<int>(HbacInstruments.InferenceBatchSize, "{window}", "Windows per ONNX Runtime call");
        _modelDuration = meter.CreateHistogram<double>(HbacInstruments.InferenceModelDuration, "ms", "Model evaluation time per batch");
        _rejected = meter.CreateCounter<long>(HbacInstruments.InferenceRejected, "{window}", "Windows refused because the scoring queue was full");
    }

    public void RecordRequest(TimeSpan elapsed, string executionProvider, string precision) =>
        _requestDuration.Record(elapsed.TotalMilliseconds, Tags(executionProvider, precision));

    /// <summary>Windows refused by the overload limit; <paramref name="windows"/> &gt; 1 for a ScoreBatch request.</summary>
    public void RecordRejected(int windows) => _rejected.Add(windows);

    public void RecordBatch(int size, TimeSpan elapsed, string executionProvider, string precision)
    {
        _batchSize.Record(size);
        _modelDuration.Record(elapsed.TotalMilliseconds, Tags(executionProvider, precision));
    }

    private static TagList Tags(string executionProvider, string precision) => new()
    {
        { HbacInstruments.ExecutionProviderTag, executionProvider },
        { HbacInstruments.PrecisionTag, precision },
    };
}
