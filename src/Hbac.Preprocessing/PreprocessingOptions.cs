using System.ComponentModel.DataAnnotations;

namespace Hbac.Preprocessing;

/// <summary>The "Hbac" configuration section as the preprocessing service reads it (env <c>Hbac__DataRoot</c>, ...).</summary>
public sealed class PreprocessingOptions
{
    public const string Section = "Hbac";

    /// <summary>Folder every request path is relative to and confined to.</summary>
    [Required]
    public string DataRoot { get; set; } = "";

    /// <summary>
    /// Largest parquet upload ConvertSpectrogram accepts; larger ones get ResourceExhausted. This one setting
    /// is the service's message limit: gRPC's receive limit is it plus <see cref="MessageOverheadBytes"/>,
    /// and Kestrel's request body limit is lifted for gRPC (AddGrpcServiceDefaults), so a stream is limited
    /// per message, never in total.
    /// </summary>
    [Range(1024, int.MaxValue - MessageOverheadBytes)]
    public int MaxUploadBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>
    /// Sustained EEG rate StreamSpectrogram accepts, in samples per channel per second of wall time
    /// (200 is real time; the default allows 1000x real time).
    /// </summary>
    [Range(1.0, double.MaxValue)]
    public double MaxStreamSamplesPerSecond { get; set; } = 200_000;

    /// <summary>Samples per channel a stream may send at once above the sustained rate (default: one hour of signal).</summary>
    [Range(1, int.MaxValue)]
    public int StreamBurstSamples { get; set; } = 200 * 3600;

    /// <summary>
    /// Most StreamSpectrogram calls open at once; one more is refused with ResourceExhausted naming this
    /// setting. A stream holds about 0.2 MB (its spectrogram frames and one decode buffer).
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxOpenStreams { get; set; } = 1024;

    /// <summary>The setting's name as configured, for messages.</summary>
    public const string MaxOpenStreamsKey = Section + ":" + nameof(MaxOpenStreams);

    /// <summary>Room for the request's other fields on top of the upload.</summary>
    public const int MessageOverheadBytes = 64 * 1024;
}
