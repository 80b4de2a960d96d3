using System.Globalization;

namespace Hbac.Eeg.Formats.Edf;

/// <summary>
/// When each data record starts, in seconds after the first. An EDF+D / BDF+D file (discontinuous) says so
/// in each record's time-keeping annotation, and its records may have gaps between them; every other file's
/// records follow each other. Readers place each record at its time and fill the gaps with NaN, the value
/// the rest of the pipeline already treats as a missing sample (chains read it as 0, the report flags the
/// segment and does not score it).
/// </summary>
internal sealed class EdfRecordTimes
{
    /// <summary>Longest span from the first record's start to the last record's end that a file may claim (31 days).</summary>
    public const double MaxSpanSeconds = 31 * 24 * 3600;

    /// <summary>How far a record may start before the previous one ends and still count as following it (rounding in writers).</summary>
    private const double OverlapToleranceSeconds = 1e-6;

    private readonly double[]? _onsets;

    private EdfRecordTimes(double recordDurationSeconds, int records, double[]? onsets)
    {
        RecordDurationSeconds = recordDurationSeconds;
        Records = records;
        _onsets = onsets;
        var gaps = new List<(double, double)>();
        if (onsets is not null)
        {
            for (var r = 1; r < onsets.Length; r++)
            {
                var end = onsets[r - 1] + recordDurationSeconds;
                if (onsets[r] - end > OverlapToleranceSeconds)
                {
                    gaps.Add((end, onsets[r] - end));
                }
            }
        }
        Gaps = gaps;
    }

    public double RecordDurationSeconds { get; }

    public int Records { get; }

    /// <summary>Gaps between records as (start, length) in seconds after the first record's start; empty for a continuous file.</summary>
    public IReadOnlyList<(double StartSeconds, double Seconds)> Gaps { get; }

    /// <summary>From the first record's start to the last one's end, gaps included.</summary>
    public double SpanSeconds => Onset(Records - 1) + RecordDurationSeconds;

    public double Onset(int record) => _onsets?[record] ?? record * RecordDurationSeconds;

    /// <summary>
    /// The index of record <paramref name="record"/>'s first sample in a signal of <paramref name="samplesPerRecord"/>
    /// with the gaps filled, never before the end of the record before it.
    /// </summary>
    public long SampleStart(int record, int samplesPerRecord, long previousEnd) =>
        _onsets is null
            ? (long)record * samplesPerRecord
            : Math.Max(previousEnd, (long)Math.Round(_onsets[record] / RecordDurationSeconds * samplesPerRecord));

    /// <summary>A signal's length with the gaps filled.</summary>
    public long SampleCount(int samplesPerRecord)
    {
        var end = 0L;
        for (var r = 0; r < Records; r++)
        {
            end = SampleStart(r, samplesPerRecord, end) + samplesPerRecord;
        }
        return end;
    }

    public static bool IsDiscontinuous(EdfHeader header) =>
        header.Reserved.StartsWith("EDF+D", StringComparison.Ordinal) || header.Reserved.StartsWith("BDF+D", StringComparison.Ordinal);

    /// <summary>
    /// The record times of <paramref name="header"/>'s file: for EDF+D / BDF+D read from every record's time-keeping
    /// annotation, otherwise one record after the other. The stream must stand at the first data record, and is
    /// left there.
    /// </summary>
    public static EdfRecordTimes Read(Stream stream, EdfHeader header, string source)
    {
        if (!IsDiscontinuous(header))
        {
            return new EdfRecordTimes(header.RecordDurationSeconds, header.RecordCount, null);
        }
        var annotation = header.Signals.FindIndex(s => s.IsAnnotation);
        if (annotation < 0)
        {
            throw EegDataException.InFile(source, $"{header.Reserved[..5]} (discontinuous) but no annotation signal: the records' start times are not in the file");
        }
        var block = new byte[header.Signals[annotation].SamplesPerRecord * header.BytesPerSample];
        var onsets = new double[header.RecordCount];
        var ignored = new List<(double, double?, string)>();
        var start = stream.Position;
        try
        {
            double first = 0;
            for (var r = 0; r < onsets.Length; r++)
            {
                stream.Position = start + r * header.RecordBytes + header.SignalOffsets[annotation];
                stream.ReadExactly(block);
                ignored.Clear();
                var onset = TalParser.ParseRecord(block, timeKeeping: true, ignored, source, r)
                    ?? throw EegDataException.InFile(source, $"data record {r + 1}: no time-keeping annotation, which an {header.Reserved[..5]} record must start with");
                if (r == 0)
                {
                    first = onset;
                }
                onsets[r] = onset - first;
                if (r > 0 && onsets[r] < onsets[r - 1] + header.RecordDurationSeconds - OverlapToleranceSeconds)
                {
                    throw EegDataException.InFile(source,
                        $"data record {r + 1} starts at {Seconds(onsets[r])} s, before record {r} ends at {Seconds(onsets[r - 1] + header.RecordDurationSeconds)} s (times after the first record)");
                }
            }
        }
        finally
        {
            stream.Position = start;
        }
        var times = new EdfRecordTimes(header.RecordDurationSeconds, header.RecordCount, onsets);
        if (times.SpanSeconds > MaxSpanSeconds)
        {
            throw EegDataException.InFile(source, $"the records span {Seconds(times.SpanSeconds)} s with their gaps; at most {Seconds(MaxSpanSeconds)} s (31 days) is read");
        }
        return times;
    }

    private static string Seconds(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
