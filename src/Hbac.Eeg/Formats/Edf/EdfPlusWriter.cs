using System.Globalization;
using System.Text;

namespace Hbac.Eeg.Formats.Edf;

/// <summary>
/// Writes a continuous EDF+ file (EDF+C, 16-bit samples, 1-s data records) record by record, so a
/// 24-hour recording never has to be in memory: ordinary signals at one rate with one physical range,
/// plus an "EDF Annotations" signal carrying each record's time-keeping TAL and the annotations whose
/// onset falls in that record. The record count and annotations are known up front.
/// </summary>
public sealed class EdfPlusWriter : IDisposable
{
    private readonly FileStream _file;
    private readonly int _rate;
    private readonly int _signals;
    private readonly double _physicalMin;
    private readonly double _physicalMax;
    private readonly int _annotationBytes;
    private readonly ILookup<int, EdfAnnotation> _annotationsByRecord;
    private readonly int _recordCount;
    private readonly float[][] _pending;
    private int _pendingLength;
    private int _written;

    public const int DigitalMin = -32768;
    public const int DigitalMax = 32767;

    public EdfPlusWriter(
        string path, IReadOnlyList<string> labels, int sampleRateHz, double physicalMinimum, double physicalMaximum,
        int recordCount, IReadOnlyList<EdfAnnotation> annotations, DateTime start, string physicalDimension = "uV")
    {
        if (annotations.Any(a => a.OnsetSeconds < 0 || a.OnsetSeconds >= recordCount))
        {
            throw new ArgumentException("every annotation must start inside the recording", nameof(annotations));
        }
        _rate = sampleRateHz;
        _signals = labels.Count;
        (_physicalMin, _physicalMax) = (physicalMinimum, physicalMaximum);
        _recordCount = recordCount;
        _annotationsByRecord = annotations.ToLookup(a => (int)Math.Floor(a.OnsetSeconds));
        var longest = Enumerable.Range(0, recordCount).Select(r => AnnotationBlock(r).Length).DefaultIfEmpty(0).Max();
        _annotationBytes = Math.Max(64, (longest + 1) / 2 * 2);
        _pending = [.. labels.Select(_ => new float[sampleRateHz])];
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        WriteHeader(labels, start, physicalDimension);
    }

    /// <summary>Appends samples (one array per ordinary signal, equal lengths, physical units); full records are written out.</summary>
    public void Write(IReadOnlyList<float[]> samples)
    {
        var length = samples[0].Length;
        var position = 0;
        while (position < length)
        {
            var take = Math.Min(_rate - _pendingLength, length - position);
            for (var s = 0; s < _signals; s++)
            {
                samples[s].AsSpan(position, take).CopyTo(_pending[s].AsSpan(_pendingLength));
            }
            (_pendingLength, position) = (_pendingLength + take, position + take);
            if (_pendingLength == _rate)
            {
                WriteRecord();
                _pendingLength = 0;
            }
        }
    }

    public void Dispose()
    {
        if (_written != _recordCount)
        {
            _file.Dispose();
            throw new InvalidOperationException($"{_written} of {_recordCount} data records written");
        }
        _file.Dispose();
    }

    private void WriteRecord()
    {
        if (_written == _recordCount)
        {
            throw new InvalidOperationException($"more samples than the {_recordCount} records declared");
        }
        var record = new byte[_signals * _rate * 2 + _annotationBytes];
        var gain = (_physicalMax - _physicalMin) / ((double)DigitalMax - DigitalMin);
        var offset = 0;
        for (var s = 0; s < _signals; s++)
        {
            foreach (var value in _pending[s])
            {
                var digital = float.IsFinite(value) ? Math.Round((value - _physicalMin) / gain + DigitalMin) : 0;
                var clamped = (short)Math.Clamp(digital, DigitalMin, DigitalMax);
                record[offset++] = (byte)clamped;
                record[offset++] = (byte)(clamped >> 8);
            }
        }
        AnnotationBlock(_written).CopyTo(record, offset);
        _file.Write(record);
        _written++;
    }

    private byte[] AnnotationBlock(int record)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"+{record}\u0014\u0014\0");
        foreach (var a in _annotationsByRecord[record])
        {
            text.Append(CultureInfo.InvariantCulture, $"+{a.OnsetSeconds:0.###}");
            if (a.DurationSeconds is { } d)
            {
                text.Append(CultureInfo.InvariantCulture, $"\u0015{d:0.###}");
            }
            text.Append(CultureInfo.InvariantCulture, $"\u0014{a.Text}\u0014\0");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private void WriteHeader(IReadOnlyList<string> labels, DateTime start, string dimension)
    {
        var all = labels.Append("EDF Annotations").ToList();
        var n = all.Count;
        var header = new StringBuilder();
        void Field(string value, int width) => header.Append(value.Length > width ? value[..width] : value.PadRight(width));
        string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
        Field("0", 8);
        Field("X X X X", 80);
        Field($"Startdate {start.ToString("dd-MMM-yyyy", CultureInfo.InvariantCulture).ToUpperInvariant()} X X X", 80);
        Field(start.ToString("dd.MM.yy", CultureInfo.InvariantCulture), 8);
        Field(start.ToString("HH.mm.ss", CultureInfo.InvariantCulture), 8);
        Field((256 * (n + 1)).ToString(CultureInfo.InvariantCulture), 8);
        Field("EDF+C", 44);
        Field(_recordCount.ToString(CultureInfo.InvariantCulture), 8);
        Field("1", 8);
        Field(n.ToString(CultureInfo.InvariantCulture), 4);
        foreach (var label in all) { Field(label, 16); }
        foreach (var label in all) { Field(label == "EDF Annotations" ? "" : "AgAgCl electrode", 80); }
        foreach (var label in all) { Field(label == "EDF Annotations" ? "" : dimension, 8); }
        foreach (var label in all) { Field(label == "EDF Annotations" ? "-1" : Number(_physicalMin), 8); }
        foreach (var label in all) { Field(label == "EDF Annotations" ? "1" : Number(_physicalMax), 8); }
        foreach (var _ in all) { Field(DigitalMin.ToString(CultureInfo.InvariantCulture), 8); }
        foreach (var _ in all) { Field(DigitalMax.ToString(CultureInfo.InvariantCulture), 8); }
        foreach (var _ in all) { Field("", 80); }
        foreach (var label in all)
        {
            Field((label == "EDF Annotations" ? _annotationBytes / 2 : _rate).ToString(CultureInfo.InvariantCulture), 8);
        }
        foreach (var _ in all) { Field("", 32); }
        _file.Write(Encoding.ASCII.GetBytes(header.ToString()));
    }
}
