namespace Hbac.Eeg.Formats.Edf;

/// <summary>
/// A decoded EDF, EDF+C, EDF+D, BDF, BDF+C or BDF+D file: the main header, every signal header (annotation channels
/// included), the ordinary signals with their physical samples, and the EDF+ annotations.
/// </summary>
public sealed class EdfFile
{
    internal EdfFile(
        string sourceName,
        EdfFormat format,
        string version,
        string patient,
        string recording,
        DateTime? startDateTime,
        int headerBytes,
        string reserved,
        int declaredRecordCount,
        int recordCount,
        double recordDurationSeconds,
        IReadOnlyList<EdfSignalHeader> signalHeaders,
        IReadOnlyList<EdfSignal> signals,
        IReadOnlyList<EdfAnnotation> annotations,
        double startOffsetSeconds,
        IReadOnlyList<(double StartSeconds, double Seconds)> gaps,
        double durationSeconds)
    {
        Gaps = gaps;
        DurationSeconds = durationSeconds;
        SourceName = sourceName;
        Format = format;
        Version = version;
        Patient = patient;
        Recording = recording;
        StartDateTime = startDateTime;
        HeaderBytes = headerBytes;
        Reserved = reserved;
        DeclaredRecordCount = declaredRecordCount;
        RecordCount = recordCount;
        RecordDurationSeconds = recordDurationSeconds;
        SignalHeaders = signalHeaders;
        Signals = signals;
        Annotations = annotations;
        StartOffsetSeconds = startOffsetSeconds;
    }

    /// <summary>The path or name used in error messages.</summary>
    public string SourceName { get; }

    public EdfFormat Format { get; }

    /// <summary>"EDF+C", "EDF+D", "BDF+C" or "BDF+D" when the reserved field says so, otherwise "EDF" / "BDF".</summary>
    public string Variant => EdfFormatNames.Variant(Format, Reserved);

    /// <summary>The version field: "0" for EDF, "BIOSEMI" (after the 0xFF byte) for BDF.</summary>
    public string Version { get; }

    /// <summary>Local patient identification (80 characters, trimmed).</summary>
    public string Patient { get; }

    /// <summary>Local recording identification (80 characters, trimmed).</summary>
    public string Recording { get; }

    /// <summary>Header start date and time (whole seconds; years 85-99 are 19xx, 00-84 are 20xx), or null when unparseable.</summary>
    public DateTime? StartDateTime { get; }

    /// <summary>Sub-second start of the first sample after <see cref="StartDateTime"/> (EDF+ time-keeping TAL of record 1).</summary>
    public double StartOffsetSeconds { get; }

    public int HeaderBytes { get; }

    /// <summary>The 44-character reserved field, trimmed ("EDF+C", "BDF+C" or empty).</summary>
    public string Reserved { get; }

    /// <summary>The record count as written: -1 means unknown (the writer did not finish).</summary>
    public int DeclaredRecordCount { get; }

    /// <summary>Data records present (computed from the file size when the header says -1).</summary>
    public int RecordCount { get; }

    public double RecordDurationSeconds { get; }

    /// <summary>From the first sample to the last, gaps between the records of an EDF+D / BDF+D file included.</summary>
    public double DurationSeconds { get; }

    /// <summary>
    /// The gaps between the records of an EDF+D / BDF+D file as (start, length) in seconds after the first sample;
    /// their samples read as NaN. Empty for a continuous file.
    /// </summary>
    public IReadOnlyList<(double StartSeconds, double Seconds)> Gaps { get; }

    /// <summary>The header's signal count: ordinary and annotation signals.</summary>
    public int SignalCount => SignalHeaders.Count;

    /// <summary>Every signal header in file order, annotation channels included.</summary>
    public IReadOnlyList<EdfSignalHeader> SignalHeaders { get; }

    /// <summary>The ordinary signals (annotation channels excluded) in file order.</summary>
    public IReadOnlyList<EdfSignal> Signals { get; }

    /// <summary>The annotations in file order, without the per-record time-keeping entries.</summary>
    public IReadOnlyList<EdfAnnotation> Annotations { get; }

    /// <summary>Labels of the ordinary signals, as written (trimmed).</summary>
    public IReadOnlyList<string> Labels => [.. Signals.Select(s => s.Label)];
}
