namespace Hbac.Contracts;

/// <summary>
/// Names of the "Hbac" meter and its instruments. They are a contract between the services that
/// record them, the service defaults that export them and the dashboard that reads them.
/// </summary>
public static class HbacInstruments
{
    /// <summary>The meter every service records its own metrics on.</summary>
    public const string MeterName = "Hbac";

    /// <summary>Counter of gRPC calls handled; tags <c>rpc.method</c>, <c>rpc.grpc.status_code</c>.</summary>
    public const string RpcRequests = "hbac.rpc.server.requests";

    /// <summary>Histogram of gRPC call durations in milliseconds; same tags as <see cref="RpcRequests"/>.</summary>
    public const string RpcDuration = "hbac.rpc.server.duration";

    /// <summary>
    /// Histogram of the time from a scoring request (Score, ScoreBatch item, or a StreamEeg window
    /// becoming complete) to its reply, in milliseconds; the dashboard's inference latency.
    /// </summary>
    public const string InferenceRequestDuration = "hbac.inference.request.duration";

    /// <summary>Tag on the inference latency and model-time histograms: the execution provider that scored ("CUDA" or "CPU").</summary>
    public const string ExecutionProviderTag = "hbac.execution_provider";

    /// <summary>Tag on the latency histograms: the precision of the model file that served ("fp32" or "int8").</summary>
    public const string PrecisionTag = "hbac.precision";

    /// <summary>Histogram of windows evaluated per ONNX Runtime call (micro-batch size).</summary>
    public const string InferenceBatchSize = "hbac.inference.batch_size";

    /// <summary>Histogram of the model evaluation time per batch, in milliseconds.</summary>
    public const string InferenceModelDuration = "hbac.inference.model.duration";

    /// <summary>
    /// Counter of windows the inference service refused because its scoring queue was full (the
    /// overload limit, answered with ResourceExhausted); a refused ScoreBatch counts all its windows.
    /// </summary>
    public const string InferenceRejected = "hbac.inference.rejected";

    /// <summary>
    /// Histogram of the wall time one stage of a window's path through the inference service took, per
    /// window, in milliseconds; tags <see cref="InputKindTag"/> and <see cref="StageTag"/> (GetServingProfile's sums).
    /// </summary>
    public const string InferenceStageDuration = "hbac.inference.stage.duration";

    /// <summary>Tag on the stage histogram: the model input kind ("spectrogram" or "eeg").</summary>
    public const string InputKindTag = "hbac.input_kind";

    /// <summary>Tag on the stage histogram: receive, window, queue, batch_copy, model or reply.</summary>
    public const string StageTag = "hbac.stage";

    /// <summary>Counter of tensor cache lookups that found the tensor.</summary>
    public const string CacheHits = "hbac.cache.hits";

    /// <summary>Counter of tensor cache lookups that did not (including lookups skipped while Redis is down).</summary>
    public const string CacheMisses = "hbac.cache.misses";

    /// <summary>Counter of cache operations that failed or were skipped because Redis was unreachable.</summary>
    public const string CacheErrors = "hbac.cache.errors";

    /// <summary>
    /// Counter of spectrogram parquet files the preprocessing service converted (not found in the cache, and
    /// not left to another converter holding the file's claim).
    /// </summary>
    public const string SpectrogramConversions = "hbac.preprocessing.conversions";

    /// <summary>Counter of training optimiser steps completed.</summary>
    public const string TrainingSteps = "hbac.training.steps";

    /// <summary>Histogram of training losses reported per step event.</summary>
    public const string TrainingLoss = "hbac.training.loss";

    /// <summary>Counter of training epochs completed (validation included).</summary>
    public const string TrainingEpochs = "hbac.training.epochs";

    /// <summary>Histogram of training throughput in samples (windows) per second, reported per step event.</summary>
    public const string TrainingThroughput = "hbac.training.throughput";

    /// <summary>Histogram of validation losses (mean KL divergence), one per completed epoch.</summary>
    public const string TrainingValidationLoss = "hbac.training.validation_loss";
}
