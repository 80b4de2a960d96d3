namespace Hbac.Contracts;

/// <summary>
/// The raw EEG streaming contract (EegChunk, Inference.StreamEeg, Preprocessing.StreamSpectrogram):
/// 20 channels in the Kaggle column order at 200 Hz; the inference stream scores the latest 50-s
/// window every 2 s of new signal, and each score describes that window's centre 10 s.
/// </summary>
public static class EegStream
{
    public const int SampleRateHz = 200;

    /// <summary>The Kaggle EEG parquet columns, in order: 19 electrodes then EKG.</summary>
    public static IReadOnlyList<string> ChannelNames { get; } =
    [
        "Fp1", "F3", "C3", "P3", "F7", "T3", "T5", "O1", "Fz", "Cz",
        "Pz", "Fp2", "F4", "C4", "P4", "F8", "T4", "T6", "O2", "EKG",
    ];

    public const int ChannelCount = 20;

    /// <summary>
    /// Largest sample magnitude a stream may send, in microvolts: 1 V, far beyond any EEG amplifier's
    /// range (scalp EEG is tens to hundreds of microvolts), and small enough that no spectrogram power
    /// computed from it overflows float. Larger values and infinities are refused; NaN marks a missing sample.
    /// </summary>
    public const float MaxAbsMicrovolts = 1_000_000f;

    /// <summary>
    /// Seconds of signal in one scored window, and so what the first StreamEeg reply needs: the EEG-window
    /// model reads 50 s (Hbac.Eeg.Windows.EegWindow.Seconds) and scores its centre 10 s.
    /// </summary>
    public const int ScoredWindowSeconds = 50;

    /// <summary>Seconds of signal a reply's probabilities describe: the window's centre, as in the Kaggle labels.</summary>
    public const int SegmentSeconds = 10;

    /// <summary>Seconds from a segment's end to its window's end: (50 - 10) / 2.</summary>
    public const int SegmentEndBeforeWindowEndSeconds = (ScoredWindowSeconds - SegmentSeconds) / 2;

    /// <summary>Seconds of new signal between two StreamEeg replies.</summary>
    public const int ReplyEverySeconds = 2;

    public const int ScoredWindowSamples = ScoredWindowSeconds * SampleRateHz;

    public const int ReplyEverySamples = ReplyEverySeconds * SampleRateHz;
}
