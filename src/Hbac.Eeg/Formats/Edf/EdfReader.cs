using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Hbac.Eeg.Formats.Edf;

/// <summary>
/// Reads EDF, EDF+C, EDF+D, BDF, BDF+C and BDF+D files. Samples are scaled to physical units
/// with physical = (digital - dmin) * (pmax - pmin) / (dmax - dmin) + pmin, which also handles an
/// inverted physical range. Annotation channels are parsed as TALs instead of decoded as samples.
/// The records of a discontinuous file (EDF+D / BDF+D) are placed at their times and the gaps between
/// them read as NaN (<see cref="EdfRecordTimes"/>); this whole-file reader fills at most
/// <see cref="MaxGapFillSeconds"/> or the recorded duration, whichever is more.
/// The header is read and checked against the file's length first (record count, samples per record,
/// record duration, sample rates, physical and digital ranges, each within the limits below); the data
/// records are then decoded one at a time, so a file is never held whole in memory.
/// </summary>
public static class EdfReader
{
    private const int FixedHeaderBytes = 256;
    private const int SignalHeaderBytes = 256;

    /// <summary>Lowest sample rate accepted for an ordinary signal (slow channels such as SpO2 run at 1 Hz).</summary>
    public const double MinSampleRateHz = 0.1;

    /// <summary>Highest sample rate accepted (BioSemi's fastest is 16 kHz); beyond it the resampler's filter grows without use.</summary>
    public const double MaxSampleRateHz = 65_536;

    /// <summary>Shortest data record accepted (files with only annotation signals may say 0).</summary>
    public const double MinRecordDurationSeconds = 0.001;

    /// <summary>Longest data record accepted (the EDF specification recommends records of about a second).</summary>
    public const double MaxRecordDurationSeconds = 3_600;

    /// <summary>
    /// Largest magnitude any digital value of the format may map to: microvolts for a voltage channel (1e9 uV
    /// is 1 kV, far beyond any amplifier), units as written otherwise. It keeps every sample, and every power a
    /// spectrogram squares from it, a finite float.
    /// </summary>
    public const double MaxPhysicalMagnitude = 1e9;

    /// <summary>Largest data record read at once (the specification recommends at most 61,440 bytes).</summary>
    public const long MaxRecordBytes = 256L << 20;

    /// <summary>
    /// How much gap a whole-file read fills with NaN for a recording shorter than this (one hour); a longer
    /// recording may have gaps adding up to its own length. More is refused: this reader holds the file in
    /// memory, so a small file claiming a long pause must not become a large allocation.
    /// </summary>
    public const double MaxGapFillSeconds = 3_600;

    /// <summary>Most signals a header may declare (the field has 4 digits).</summary>
    public const int MaxSignals = 9_999;

    public static EdfFile Read(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return Read(file, path);
    }

    /// <summary>Reads from a stream (a non-seekable one is copied first: the header is checked against the length).</summary>
    public static EdfFile Read(Stream stream, string sourceName)
    {
        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            stream = copy;
        }
        var header = ReadHeader(stream, sourceName);
        return ReadRecords(stream, header, sourceName);
    }

    /// <summary>
    /// Reads and checks the main and signal headers from the stream's current position (the start of the
    /// file), leaving the stream at the first data record.
    /// </summary>
    internal static EdfHeader ReadHeader(Stream stream, string source)
    {
        var fileLength = stream.Length - stream.Position;
        if (fileLength < FixedHeaderBytes)
        {
            throw Error(source, $"not an EDF/BDF file: {fileLength} bytes, shorter than the 256-byte header");
        }
        var fixedPart = new byte[FixedHeaderBytes];
        stream.ReadExactly(fixedPart);
        DetectFormat(fixedPart, source);
        var signalCount = ParseInt(fixedPart, 252, 4, source, "number of signals");
        if (signalCount <= 0 || signalCount > MaxSignals)
        {
            throw Error(source, $"the header declares {signalCount} signals; 1 to {MaxSignals} are accepted");
        }
        var headerBytes = FixedHeaderBytes + (long)SignalHeaderBytes * signalCount;
        if (fileLength < headerBytes)
        {
            throw Error(source, $"truncated: the header needs {headerBytes} bytes but the file has {fileLength}");
        }
        var bytes = new byte[headerBytes];
        fixedPart.CopyTo(bytes, 0);
        stream.ReadExactly(bytes.AsSpan(FixedHeaderBytes));
        return ParseHeader(bytes, fileLength, source);
    }

    /// <summary>
    /// The main and signal headers from the file's first bytes (at least the whole header), checked against
    /// the file's length: what a reader that goes record by record needs (<see cref="EdfRecordStream"/>).
    /// </summary>
    internal static EdfHeader ParseHeader(byte[] bytes, long fileLength, string source)
    {
        if (fileLength < FixedHeaderBytes)
        {
            throw Error(source, $"not an EDF/BDF file: {fileLength} bytes, shorter than the 256-byte header");
        }
        var format = DetectFormat(bytes, source);
        var version = format == EdfFormat.Bdf ? "BIOSEMI" : "0";
        var signalCount = ParseInt(bytes, 252, 4, source, "number of signals");
        if (signalCount <= 0)
        {
            throw Error(source, $"the header declares {signalCount} signals; at least one is required");
        }
        var headerBytes = ParseInt(bytes, 184, 8, source, "number of bytes in header");
        var expectedHeaderBytes = FixedHeaderBytes + SignalHeaderBytes * signalCount;
        if (headerBytes != expectedHeaderBytes)
        {
            throw Error(source, $"header size field says {headerBytes} bytes but {signalCount} signals need 256*({signalCount}+1) = {expectedHeaderBytes}");
        }
        if (fileLength < headerBytes || bytes.Length < headerBytes)
        {
            throw Error(source, $"truncated: the header needs {headerBytes} bytes but the file has {fileLength}");
        }

        var reserved = Text(bytes, 192, 44);
        var declaredRecords = ParseInt(bytes, 236, 8, source, "number of data records");
        var recordDuration = ParseDouble(bytes, 244, 8, source, "duration of a data record");
        var headers = ParseSignalHeaders(bytes, signalCount, format, source);
        var hasSignals = headers.Any(h => !h.IsAnnotation);
        if (recordDuration < 0 || (recordDuration == 0 && hasSignals))
        {
            throw Error(source, $"field 'duration of a data record' must be positive, is {recordDuration.ToString(CultureInfo.InvariantCulture)}");
        }
        if (recordDuration != 0 && (recordDuration < MinRecordDurationSeconds || recordDuration > MaxRecordDurationSeconds))
        {
            throw Error(source, $"field 'duration of a data record' is {Number(recordDuration)} s; accepted are {Number(MinRecordDurationSeconds)} to {Number(MaxRecordDurationSeconds)} s");
        }
        for (var i = 0; i < headers.Count; i++)
        {
            var rate = headers[i].SamplesPerRecord / recordDuration;
            if (!headers[i].IsAnnotation && (rate < MinSampleRateHz || rate > MaxSampleRateHz))
            {
                throw Error(source, $"signal {i + 1} ('{headers[i].Label}') has a sample rate of {Number(rate)} Hz ({headers[i].SamplesPerRecord} samples per {Number(recordDuration)}-s record); accepted are {Number(MinSampleRateHz)} to {Number(MaxSampleRateHz)} Hz");
            }
        }

        var bytesPerSample = format == EdfFormat.Bdf ? 3 : 2;
        long recordBytes = headers.Sum(h => (long)h.SamplesPerRecord) * bytesPerSample;
        long dataBytes = fileLength - headerBytes;
        if (recordBytes > MaxRecordBytes)
        {
            throw Error(source, $"a data record of {recordBytes} bytes is over the {MaxRecordBytes}-byte limit");
        }
        int records;
        if (declaredRecords == -1)
        {
            // A writer that did not finish leaves -1: count the complete records present.
            records = (int)Math.Min(dataBytes / recordBytes, int.MaxValue);
        }
        else if (declaredRecords < 0)
        {
            throw Error(source, $"field 'number of data records' is {declaredRecords}; only -1 (unknown) may be negative");
        }
        else
        {
            records = declaredRecords;
            if (dataBytes < records * recordBytes)
            {
                throw Error(source, $"truncated: {records} data records of {recordBytes} bytes need {records * recordBytes} bytes after the header but only {dataBytes} are present");
            }
        }
        if (records == 0)
        {
            throw Error(source, "no data records: the file holds a header and no samples");
        }
        foreach (var h in headers)
        {
            if ((long)h.SamplesPerRecord * records > Array.MaxLength)
            {
                throw Error(source, $"signal '{h.Label}' has {(long)h.SamplesPerRecord * records} samples, more than one array holds");
            }
        }

        return new EdfHeader(format, version, Text(bytes, 8, 80), Text(bytes, 88, 80), ParseStart(bytes), headerBytes, reserved,
            declaredRecords, records, recordDuration, headers, recordBytes, bytesPerSample);
    }

    /// <summary>Decodes the data records that follow the header, one record at a time.</summary>
    private static EdfFile ReadRecords(Stream stream, EdfHeader header, string source)
    {
        var headers = header.Signals;
        var records = header.RecordCount;
        var times = EdfRecordTimes.Read(stream, header, source);
        var recorded = records * header.RecordDurationSeconds;
        var gapSeconds = times.Gaps.Sum(g => g.Seconds);
        if (gapSeconds > Math.Max(MaxGapFillSeconds, recorded))
        {
            throw Error(source, string.Create(CultureInfo.InvariantCulture,
                $"the gaps between data records add up to {gapSeconds:0.###} s; a whole-file read fills at most the recorded {recorded:0.###} s or {MaxGapFillSeconds:0} s with missing samples (split the recording at its longest gap)"));
        }
        // The lengths were checked against the file in the header, and the gaps above, so these allocations are bounded by them.
        var samples = new float[headers.Count][];
        var ends = new long[headers.Count];
        for (var i = 0; i < headers.Count; i++)
        {
            if (!headers[i].IsAnnotation)
            {
                var length = times.SampleCount(headers[i].SamplesPerRecord);
                if (length > Array.MaxLength)
                {
                    throw Error(source, $"signal '{headers[i].Label}' has {length} samples with its gaps, more than one array holds");
                }
                samples[i] = new float[length];
                if (times.Gaps.Count > 0)
                {
                    samples[i].AsSpan().Fill(float.NaN);
                }
            }
        }
        var raw = new List<(double Onset, double? Duration, string Text)>();
        double? startOffset = null;
        var record = new byte[header.RecordBytes];
        for (var r = 0; r < records; r++)
        {
            stream.ReadExactly(record);
            var firstAnnotationSignal = true;
            for (var i = 0; i < headers.Count; i++)
            {
                var h = headers[i];
                var block = header.SignalBytes(record, i);
                if (h.IsAnnotation)
                {
                    var onset = TalParser.ParseRecord(block, firstAnnotationSignal, raw, source, r);
                    if (r == 0 && firstAnnotationSignal && onset is { } o)
                    {
                        startOffset = o;
                    }
                    firstAnnotationSignal = false;
                    continue;
                }
                var at = times.SampleStart(r, h.SamplesPerRecord, ends[i]);
                ends[i] = at + h.SamplesPerRecord;
                var target = samples[i].AsSpan((int)at, h.SamplesPerRecord);
                Decode(block, target, header.BytesPerSample, h.Gain, h.Offset);
            }
        }
        var signals = new List<EdfSignal>();
        for (var i = 0; i < headers.Count; i++)
        {
            if (!headers[i].IsAnnotation)
            {
                signals.Add(new EdfSignal(headers[i], header.RecordDurationSeconds, samples[i]));
            }
        }
        var offset = startOffset ?? 0.0;
        var annotations = raw.Select(a => new EdfAnnotation(a.Onset - offset, a.Duration, a.Text)).ToList();
        return new EdfFile(
            source, header.Format, header.Version, header.Patient, header.Recording, header.StartDateTime,
            header.HeaderBytes, header.Reserved, header.DeclaredRecordCount, records, header.RecordDurationSeconds,
            headers, signals, annotations, offset, times.Gaps, times.SpanSeconds);
    }

    private static EdfFormat DetectFormat(byte[] bytes, string source)
    {
        if (bytes[0] == 0xFF && Encoding.ASCII.GetString(bytes, 1, 7) == "BIOSEMI")
        {
            return EdfFormat.Bdf;
        }
        if (Text(bytes, 0, 8) == "0")
        {
            return EdfFormat.Edf;
        }
        var shown = new string([.. Encoding.Latin1.GetString(bytes, 0, 8).Select(c => c is >= ' ' and <= '~' ? c : '?')]);
        throw Error(source, $"not an EDF/BDF file: the version field is '{shown.TrimEnd()}', expected '0' (EDF) or 0xFF 'BIOSEMI' (BDF)");
    }

    private static List<EdfSignalHeader> ParseSignalHeaders(byte[] bytes, int count, EdfFormat format, string source)
    {
        var offset = FixedHeaderBytes;
        string[] Field(int width)
        {
            var values = new string[count];
            for (var i = 0; i < count; i++)
            {
                values[i] = Text(bytes, offset + i * width, width);
            }
            offset += width * count;
            return values;
        }
        var labels = Field(16);
        var transducers = Field(80);
        var dimensions = Field(8);
        var physicalMin = Field(8);
        var physicalMax = Field(8);
        var digitalMin = Field(8);
        var digitalMax = Field(8);
        var prefilters = Field(80);
        var samplesPerRecord = Field(8);
        var reserved = Field(32);

        var headers = new List<EdfSignalHeader>(count);
        for (var i = 0; i < count; i++)
        {
            var what = $"signal {i + 1} ('{labels[i]}')";
            var samples = IntField(samplesPerRecord[i], source, $"{what} samples per data record");
            if (samples <= 0)
            {
                throw Error(source, $"{what} has {samples} samples per data record; it must be positive");
            }
            var isAnnotation = EdfSignalHeader.IsAnnotationLabel(labels[i]);
            double pmin = 0, pmax = 0;
            int dmin = 0, dmax = 0;
            if (!isAnnotation)
            {
                // Annotation channels carry text, so their scaling fields are meaningless (some writers leave them blank).
                pmin = DoubleField(physicalMin[i], source, $"{what} physical minimum");
                pmax = DoubleField(physicalMax[i], source, $"{what} physical maximum");
                dmin = IntField(digitalMin[i], source, $"{what} digital minimum");
                dmax = IntField(digitalMax[i], source, $"{what} digital maximum");
                if (dmax <= dmin)
                {
                    throw Error(source, $"{what} digital maximum {dmax} is not above digital minimum {dmin}");
                }
                if (pmax == pmin)
                {
                    throw Error(source, $"{what} physical minimum and maximum are both {pmin.ToString(CultureInfo.InvariantCulture)}");
                }
            }
            var header = new EdfSignalHeader(labels[i], transducers[i], dimensions[i], pmin, pmax, dmin, dmax, prefilters[i], samples, reserved[i]);
            if (!isAnnotation)
            {
                RequireBoundedPhysicalRange(header, format, what, source);
            }
            headers.Add(header);
        }
        return headers;
    }

    /// <summary>
    /// Every digital value the format can hold (not only dmin..dmax: samples may lie outside) must map to
    /// a physical value within <see cref="MaxPhysicalMagnitude"/>, so decoding never yields Inf or a value
    /// whose square overflows.
    /// </summary>
    private static void RequireBoundedPhysicalRange(EdfSignalHeader header, EdfFormat format, string what, string source)
    {
        var (lowest, highest) = format == EdfFormat.Bdf ? (-(1 << 23), (1 << 23) - 1) : (short.MinValue, short.MaxValue);
        var scale = header.MicrovoltsPerUnit ?? 1.0;
        var extreme = Math.Max(Math.Abs(header.ToPhysical(lowest)), Math.Abs(header.ToPhysical(highest))) * scale;
        if (!(extreme <= MaxPhysicalMagnitude))
        {
            var unit = header.MicrovoltsPerUnit is null ? $"'{header.PhysicalDimension}'" : "uV";
            throw Error(source,
                $"{what} physical range {Number(header.PhysicalMinimum)} to {Number(header.PhysicalMaximum)} '{header.PhysicalDimension}' maps digital values to {Number(extreme)} {unit}; accepted is at most {Number(MaxPhysicalMagnitude)} (in uV for voltages)");
        }
    }

    private static string Number(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>Digital samples of 2 (EDF) or 3 (BDF) bytes to physical values: gain x digital + offset.</summary>
    internal static void Decode(ReadOnlySpan<byte> source, Span<float> target, int bytesPerSample, double gain, double offset)
    {
        if (bytesPerSample == 2)
        {
            DecodeInt16(source, target, gain, offset);
        }
        else
        {
            DecodeInt24(source, target, gain, offset);
        }
    }

    internal static void DecodeInt16(ReadOnlySpan<byte> source, Span<float> target, double gain, double offset)
    {
        if (BitConverter.IsLittleEndian)
        {
            var digital = MemoryMarshal.Cast<byte, short>(source);
            for (var i = 0; i < target.Length; i++)
            {
                target[i] = (float)(digital[i] * gain + offset);
            }
            return;
        }
        for (var i = 0; i < target.Length; i++)
        {
            target[i] = (float)(BinaryPrimitives.ReadInt16LittleEndian(source[(2 * i)..]) * gain + offset);
        }
    }

    internal static void DecodeInt24(ReadOnlySpan<byte> source, Span<float> target, double gain, double offset)
    {
        for (int i = 0, b = 0; i < target.Length; i++, b += 3)
        {
            // The third byte is signed: it carries the sign of the 24-bit two's complement value.
            var digital = source[b] | (source[b + 1] << 8) | ((sbyte)source[b + 2] << 16);
            target[i] = (float)(digital * gain + offset);
        }
    }

    private static DateTime? ParseStart(byte[] bytes)
    {
        var date = Text(bytes, 168, 8);
        var time = Text(bytes, 176, 8);
        if (!DateTime.TryParseExact($"{date} {time}", "dd.MM.yy HH.mm.ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            return null;
        }
        // EDF's two-digit year: 85-99 are 1985-1999, 00-84 are 2000-2084 (the .NET default window differs).
        var twoDigitYear = parsed.Year % 100;
        var year = twoDigitYear >= 85 ? 1900 + twoDigitYear : 2000 + twoDigitYear;
        return new DateTime(year, parsed.Month, parsed.Day, parsed.Hour, parsed.Minute, parsed.Second, DateTimeKind.Unspecified);
    }

    private static string Text(byte[] bytes, int offset, int length) =>
        Encoding.Latin1.GetString(bytes, offset, length).Trim(' ', '\0');

    private static int ParseInt(byte[] bytes, int offset, int length, string source, string field) =>
        IntField(Text(bytes, offset, length), source, $"field '{field}'");

    private static double ParseDouble(byte[] bytes, int offset, int length, string source, string field) =>
        DoubleField(Text(bytes, offset, length), source, $"field '{field}'");

    private static int IntField(string text, string source, string what)
    {
        if (int.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        // Some writers put "-32768.0" in integer fields; accept integral decimals.
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && real == Math.Floor(real) && Math.Abs(real) <= int.MaxValue)
        {
            return (int)real;
        }
        throw Error(source, $"{what} is not an integer: '{text}'");
    }

    private static double DoubleField(string text, string source, string what) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw Error(source, $"{what} is not a number: '{text}'");

    private static EegDataException Error(string source, string problem) => EegDataException.InFile(source, problem);
}
