using System.Globalization;
using Hbac.Eeg.Labels;

namespace Hbac.Eeg.Reports;

/// <summary>
/// The truth of a recording as CSV: <c>onset_seconds,offset_seconds,class</c>, one event per line, class
/// by name (Seizure, LPD, GPD, LRDA, GRDA).
/// </summary>
public static class TruthFile
{
    public const string Header = "onset_seconds,offset_seconds,class";

    public static void Write(string path, IEnumerable<AnnotatedEvent> events)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine(Header);
        foreach (var e in events)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{e.OnsetSeconds:0.###},{e.OffsetSeconds:0.###},{e.ClassName}"));
        }
    }

    public static IReadOnlyList<AnnotatedEvent> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0].Trim() != Header)
        {
            throw EegDataException.InFile(path, $"a truth file starts with the header '{Header}'");
        }
        var events = new List<AnnotatedEvent>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                continue;
            }
            var fields = lines[i].Split(',');
            if (fields.Length != 3
                || !double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var onset)
                || !double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var offset)
                || offset < onset)
            {
                throw EegDataException.InFile(path, $"line {i + 1}: expected onset,offset,class with offset >= onset, got '{lines[i]}'");
            }
            var classIndex = EegClasses.IndexOf(fields[2]);
            if (classIndex < 0)
            {
                throw EegDataException.InFile(path, $"line {i + 1}: unknown class '{fields[2]}' (expected one of {string.Join(", ", EegClasses.Names)})");
            }
            events.Add(new AnnotatedEvent(onset, offset, classIndex));
        }
        return events;
    }
}
