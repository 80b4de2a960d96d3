using Hbac.Eeg.Formats.Edf;
using Hbac.Eeg.Montage;

namespace Hbac.Eeg.Formats;

/// <summary>
/// A recording read in chunks, for work over whole recordings (the report): 20-channel chunks in the
/// Kaggle layout (<see cref="KaggleMontage.Columns"/>, microvolts, 200 Hz, a missing EKG reads as zeros).
/// An EDF/BDF is streamed record by record at any sample rate and never held whole (its signals are resampled
/// as they are read); a Kaggle parquet (50 s) is loaded whole (<see cref="Streamed"/> says which).
/// </summary>
public abstract class ChunkedRecording : IDisposable
{
    public required string Source { get; init; }

    /// <summary>"EDF+C", "BDF", "Kaggle EEG parquet", ...</summary>
    public required string Format { get; init; }

    /// <summary>Every signal label of the file, as written.</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>
    /// What was found: canonical name and the file's label, for the montage electrodes (and EKG) of a referential
    /// file, or the 16 chains ("Fp1-F7", ...) of a bipolar one.
    /// </summary>
    public required IReadOnlyList<(string Canonical, string Label)> Mapped { get; init; }

    /// <summary>"referential" (one signal per electrode) or "bipolar" (the chains as derivations, <see cref="BipolarChains"/>).</summary>
    public string Montage { get; init; } = "referential";

    /// <summary>The scalp electrodes whose columns hold signal (the others read as zeros and are not judged for quality).</summary>
    public required IReadOnlyList<string> Electrodes { get; init; }

    /// <summary>The rate of the file's montage signals (before any resampling to 200 Hz).</summary>
    public required double SourceSampleRateHz { get; init; }

    /// <summary>From the first sample to the last, the gaps of an EDF+D / BDF+D file included.</summary>
    public required double DurationSeconds { get; init; }

    /// <summary>Gaps between the records of an EDF+D / BDF+D file as (start, length) in seconds; their samples are NaN.</summary>
    public IReadOnlyList<(double StartSeconds, double Seconds)> Gaps { get; init; } = [];

    /// <summary>True when the file is read record by record; false when it was loaded whole.</summary>
    public required bool Streamed { get; init; }

    /// <summary>The EDF+ annotations; complete once <see cref="Chunks"/> has been read to its end.</summary>
    public abstract IReadOnlyList<EdfAnnotation> Annotations { get; }

    /// <summary>The recording from its first sample on, in chunks of about <paramref name="seconds"/> s.</summary>
    public IEnumerable<float[][]> Chunks(int seconds) => ReadChunks(seconds).Select(chunk => chunk.Columns);

    /// <summary>As <see cref="Chunks"/>, each chunk with a bipolar file's chains as the file holds them.</summary>
    public abstract IEnumerable<RecordingChunk> ReadChunks(int seconds);

    public virtual void Dispose() => GC.SuppressFinalize(this);

    /// <summary>
    /// Opens a .edf, .bdf or Kaggle EEG .parquet file; refuses one without the 16 electrodes of the
    /// double-banana chains (or, in an EDF/BDF, the chains themselves as bipolar derivations).
    /// </summary>
    public static ChunkedRecording Open(string path)
    {
        if (!File.Exists(path))
        {
            throw EegDataException.InFile(path, "file not found");
        }
        var extension = Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".edf" or ".bdf" => EdfChunkedRecording.OpenFile(path),
            ".parquet" => InMemoryChunkedRecording.FromParquet(path),
            _ => throw EegDataException.InFile(path, $"unsupported recording format '{extension}' (expected {string.Join(", ", RecordingFiles.Extensions)})"),
        };
    }
}
