using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Hbac.Eeg.Formats.Edf;

/// <summary>
/// Reads EDF, EDF+C, BDF and BDF+C files entirely into memory. Samples are scaled to physical units
/// with physical = (digital - dmin) * (pmax - pmin) / (dmax - dmin) + pmin, which also handles an
/// inverted physical range. Annotation channels are parsed as TALs instead of decoded as samples.
/// EDF+D / BDF+D (discontinuous) files are rejected: their records are not contiguous in time.
/// </summary>
public static class EdfReader
{
    private const int FixedHeaderBytes = 256;
    private const int SignalHeaderBytes = 256;

    public static EdfFile Read(string path) => Parse(File.ReadAllBytes(path), path);

    public static EdfFile Read(Stream stream, string sourceName)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Parse(buffer.ToArray(), sourceName);
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
        if (reserved.StartsWith("EDF+D", StringComparison.Ordinal) || reserved.StartsWith("BDF+D", StringComparison.Ordinal))
        {
            throw Error(source, $"{reserved[..5]} (discontinuous) recordings are not supported: their data records have gaps in time; export it as EDF+C");
        }
        var declaredRecords = ParseInt(bytes, 236, 8, source, "number of data records");
        var recordDuration = ParseDouble(bytes, 244, 8, source, "duration of a data record");
        var headers = ParseSignalHeaders(bytes, signalCount, source);
        if (recordDuration < 0 || (recordDuration == 0 && headers.Any(h => !h.IsAnnotation)))
        {
            throw Error(source, $"field 'duration of a data record' must be positive, is {recordDuration.ToString(CultureInfo.InvariantCulture)}");
        }

        var bytesPerSample = format == EdfFormat.Bdf ? 3 : 2;
        long recordBytes = headers.Sum(h => (long)h.SamplesPerRecord) * bytesPerSample;
        long dataBytes = fileLength - headerBytes;
        int records;
        if (declaredRecords == -1)
        {
            // A writer that did not finish leaves -1: count the complete records present.
            records = (int)(dataBytes / recordBytes);
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

        return new EdfHeader(format, version, Text(bytes, 8, 80), Text(bytes, 88, 80), ParseStart(bytes), headerBytes, reserved,
            declaredRecords, records, recordDuration, headers, recordBytes, bytesPerSample);
    }

    private static EdfFile Parse(byte[] bytes, string source)
    {
        var header = ParseHeader(bytes, bytes.Length, source);
        var (format, headerBytes, reserved, declaredRecords, recordDuration, headers, recordBytes, bytesPerSample, records) =
            (header.Format, header.HeaderBytes, header.Reserved, header.DeclaredRecordCount, header.RecordDurationSeconds,
             header.Signals, header.RecordBytes, header.BytesPerSample, header.RecordCount);
        var data = bytes.AsSpan(headerBytes);
        var signals = DecodeSignals(data, headers, records, recordBytes, bytesPerSample, recordDuration);
        var (annotations, startOffset) = ParseAnnotations(data, headers, records, recordBytes, bytesPerSample, source);
        return new EdfFile(
            source, format, header.Version, header.Patient, header.Recording, header.StartDateTime,
            headerBytes, reserved, declaredRecords, records, recordDuration, headers, signals, annotations, startOffset);
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

    private static List<EdfSignalHeader> ParseSignalHeaders(byte[] bytes, int count, string source)
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
            headers.Add(new EdfSignalHeader(labels[i], transducers[i], dimensions[i], pmin, pmax, dmin, dmax, prefilters[i], samples, reserved[i]));
        }
        return headers;
    }

    private static List<EdfSignal> DecodeSignals(
        ReadOnlySpan<byte> data, List<EdfSignalHeader> headers, int records, long recordBytes, int bytesPerSample, double recordDuration)
    {
        var signals = new List<EdfSignal>();
        long signalOffset = 0;
        foreach (var header in headers)
        {
            var perRecord = header.SamplesPerRecord;
            if (!header.IsAnnotation)
            {
                var samples = new float[(long)perRecord * records];
                var gain = header.Gain;
                var offset = header.Offset;
                for (var r = 0; r < records; r++)
                {
                    var source = data.Slice((int)(r * recordBytes + signalOffset), perRecord * bytesPerSample);
                    var target = samples.AsSpan(r * perRecord, perRecord);
                    if (bytesPerSample == 2)
                    {
                        DecodeInt16(source, target, gain, offset);
                    }
                    else
                    {
                        DecodeInt24(source, target, gain, offset);
                    }
                }
                signals.Add(new EdfSignal(header, recordDuration, samples));
            }
            signalOffset += (long)perRecord * bytesPerSample;
        }
        return signals;
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

    internal static (List<EdfAnnotation> Annotations, double StartOffset) ParseAnnotations(
        ReadOnlySpan<byte> data, List<EdfSignalHeader> headers, int records, long recordBytes, int bytesPerSample, string source)
    {
        var annotations = new List<EdfAnnotation>();
        var raw = new List<(double Onset, double? Duration, string Text)>();
        double? startOffset = null;
        long signalOffset = 0;
        var firstAnnotationSignal = true;
        foreach (var header in headers)
        {
            var length = header.SamplesPerRecord * bytesPerSample;
            if (header.IsAnnotation)
            {
                for (var r = 0; r < records; r++)
                {
                    var block = data.Slice((int)(r * recordBytes + signalOffset), length);
                    var recordOnset = TalParser.ParseRecord(block, firstAnnotationSignal, raw, source, r);
                    if (r == 0 && firstAnnotationSignal && recordOnset is { } onset)
                    {
                        startOffset = onset;
                    }
                }
                firstAnnotationSignal = false;
            }
            signalOffset += length;
        }
        var offset = startOffset ?? 0.0;
        foreach (var (onset, duration, text) in raw)
        {
            annotations.Add(new EdfAnnotation(onset - offset, duration, text));
        }
        return (annotations, offset);
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
