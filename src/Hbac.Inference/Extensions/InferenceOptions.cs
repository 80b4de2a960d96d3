using System.ComponentModel.DataAnnotations;
using Hbac.Inference.Scoring;
using Hbac.Onnx;

namespace Hbac.Inference.Extensions;

/// <summary>
/// The "Hbac" configuration section (the AppHost sets <c>Hbac__ModelRepository</c> and
/// <c>Hbac__DataRoot</c>); the inference knobs have defaults sized for 2 cores.
/// </summary>
public sealed class InferenceOptions : IValidatableObject
{
    public const string Section = "Hbac";

    /// <summary>Folder of <c>&lt;version&gt;/model.onnx + card.json</c>; created when missing.</summary>
    [Required]
    public string ModelRepository { get; set; } = "";

    /// <summary>Kaggle-layout data folder for Score by spectrogram id; empty = only tensors can be scored.</summary>
    public string? DataRoot { get; set; }

    /// <summary>Most windows one ONNX Runtime call evaluates; 1 turns micro-batching off.</summary>
    [Range(1, 256)]
    public int MaxBatch { get; set; } = 16;

    /// <summary>How long the first window of a batch waits for company before the batch runs.</summary>
    [Range(0, 1000)]
    public int MaxDelayMs { get; set; } = 4;

    /// <summary>Largest recording ScoreRecording accepts as uploaded bytes (bigger files go under the data root and are named by path); at most <see cref="MaxMessageBytes"/> - <see cref="MessageOverheadBytes"/>.</summary>
    [Range(1, int.MaxValue)]
    public int MaxRecordingUploadBytes { get; set; } = 16_000_000;

    /// <summary>
    /// Largest request message, in bytes (default 32 MiB: a ScoreBatch of 23 windows of 1.44 MB). The one
    /// message limit of the service: it is gRPC's receive limit (more: ResourceExhausted), and Kestrel's
    /// request body limit is lifted for gRPC (AddGrpcServiceDefaults), so streams are limited per message,
    /// never in total.
    /// </summary>
    [Range(64 * 1024, int.MaxValue)]
    public int MaxMessageBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>Room for a request's other fields on top of an uploaded recording.</summary>
    public const int MessageOverheadBytes = 64 * 1024;

    /// <summary>
    /// Most StreamEeg calls open at once; one more is refused with ResourceExhausted naming this setting.
    /// A stream holds the last 50 s of signal (0.8 MB) plus its largest chunk until it ends.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxOpenStreams { get; set; } = 512;

    /// <summary>The setting's name as configured, for messages.</summary>
    public const string MaxOpenStreamsKey = Section + ":" + nameof(MaxOpenStreams);

    /// <summary>Most items one ScoreBatch request may carry.</summary>
    [Range(1, 4096)]
    public int MaxBatchItems { get; set; } = 64;

    /// <summary>
    /// Overload limit: most windows (Score requests, stream windows, ScoreBatch items) waiting for the
    /// model at once; beyond it a request gets ResourceExhausted instead of a queue place. 0 = 8 x
    /// <see cref="MaxBatch"/> (128 by default: 185 MB of inputs, a few seconds of full-resolution work on 2 cores).
    /// Must be at least <see cref="MaxBatchItems"/>, or a legal ScoreBatch could never be accepted.
    /// </summary>
    [Range(0, 100_000)]
    public int MaxQueuedWindows { get; set; }

    /// <summary>The overload limit in effect: <see cref="MaxQueuedWindows"/>, or its default derived from <see cref="MaxBatch"/>.</summary>
    public int QueuedWindowsLimit => MaxQueuedWindows > 0 ? MaxQueuedWindows : Math.Max(MicroBatcher.DefaultQueuedBatches * MaxBatch, MaxBatchItems);

    /// <summary>
    /// Per-StreamEeg rate limit in samples (of 20 channels) per second of wall time; the stream may
    /// send up to one second's allowance at once. Default 100 000 = 500x real time.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int StreamMaxSamplesPerSecond { get; set; } = 100_000;

    /// <summary>Repository rescan period, the fallback when a Redis announcement is missed.</summary>
    [Range(0.1, 3600)]
    public double PollIntervalSeconds { get; set; } = 3;

    /// <summary>
    /// int8 (default): a version with a valid <c>model.int8.onnx</c> is served with it, else with
    /// <c>model.onnx</c>; fp32: always <c>model.onnx</c>.
    /// </summary>
    public string Precision { get; set; } = "int8";

    /// <summary>The parsed <see cref="Precision"/>.</summary>
    public ModelPrecision PreferredPrecision => ModelPrecisions.Parse(Precision);

    /// <summary>ONNX Runtime intra-op threads; 0 lets ONNX Runtime choose.</summary>
    [Range(0, 256)]
    public int ModelThreads { get; set; }

    /// <summary>
    /// Whether ONNX Runtime's threads busy-wait between runs (its default). Off by default here: the
    /// service decodes requests and computes stream spectrograms on the same cores between batches.
    /// </summary>
    public bool ModelThreadSpinning { get; set; }

    private string? PrecisionError()
    {
        try
        {
            ModelPrecisions.Parse(Precision ?? "");
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PrecisionError() is { } error)
        {
            yield return new ValidationResult($"Precision is '{Precision}': {error}", [nameof(Precision)]);
        }
        if (MaxRecordingUploadBytes > (long)MaxMessageBytes - MessageOverheadBytes)
        {
            yield return new ValidationResult(
                $"MaxRecordingUploadBytes ({MaxRecordingUploadBytes}) does not fit in a message of MaxMessageBytes ({MaxMessageBytes}) with {MessageOverheadBytes} bytes for the other fields",
                [nameof(MaxRecordingUploadBytes)]);
        }
        if (QueuedWindowsLimit < MaxBatchItems)
        {
            yield return new ValidationResult(
                $"MaxQueuedWindows ({MaxQueuedWindows}) is below MaxBatchItems ({MaxBatchItems}): a full ScoreBatch could never be queued; raise it or use 0 for the default",
                [nameof(MaxQueuedWindows)]);
        }
    }
}
