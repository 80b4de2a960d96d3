using System.Globalization;
using System.Text;

namespace Hbac.Eeg.Formats.Csv;

/// <summary>One data record of a CSV file with the line it starts on (1-based; the header is line 1).</summary>
public sealed record CsvRow(int Line, string[] Fields)
{
    public string this[int column] => Fields[column];
}

/// <summary>
/// A whole CSV file (RFC 4180: comma separated, fields optionally quoted, "" inside quotes, line breaks inside
/// quotes, LF or CRLF) with a header row. Columns are addressed by name; typed getters report bad values as
/// "&lt;file&gt;: line N, column 'name': ..." in one line.
/// </summary>
public sealed class CsvTable
{
    /// <summary>
    /// Longest record (characters, quoted line breaks included) read before the file is refused: Kaggle's
    /// widest row is under 200 characters, and a file without line breaks (or /dev/zero) must not grow
    /// one string until memory runs out.
    /// </summary>
    public const int MaxRecordChars = 1 << 20;

    private readonly Dictionary<string, int> _columns;

    public CsvTable(string sourceName, IReadOnlyList<string> header, IReadOnlyList<CsvRow> rows)
    {
        SourceName = sourceName;
        Header = header;
        Rows = rows;
        _columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            if (!_columns.TryAdd(header[i], i))
            {
                throw EegDataException.InFile(sourceName, $"line 1: column '{header[i]}' appears twice in the header");
            }
        }
    }

    public string SourceName { get; }

    public IReadOnlyList<string> Header { get; }

    public IReadOnlyList<CsvRow> Rows { get; }

    public static CsvTable Read(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Parse(reader, path);
    }

    public static CsvTable Parse(TextReader reader, string sourceName)
    {
        var records = new CsvRecordReader(reader, sourceName);
        if (!records.TryRead(out _, out var header))
        {
            throw EegDataException.InFile(sourceName, "empty file, expected a CSV header line");
        }
        for (var i = 0; i < header.Length; i++)
        {
            header[i] = header[i].Trim();
        }
        var rows = new List<CsvRow>();
        while (records.TryRead(out var line, out var fields))
        {
            if (fields.Length == 1 && fields[0].Length == 0)
            {
                continue; // blank line
            }
            if (fields.Length != header.Length)
            {
                throw EegDataException.InFile(sourceName, $"line {line}: {fields.Length} fields, the header has {header.Length}");
            }
            rows.Add(new CsvRow(line, fields));
        }
        return new CsvTable(sourceName, header, rows);
    }

    public bool HasColumn(string name) => _columns.ContainsKey(name);

    /// <summary>Index of a column, or -1.</summary>
    public int ColumnIndex(string name) => _columns.GetValueOrDefault(name, -1);

    public int RequireColumn(string name) =>
        _columns.TryGetValue(name, out var index)
            ? index
            : throw EegDataException.InFile(SourceName, $"line 1: missing column '{name}'");

    public string Text(CsvRow row, int column) => row.Fields[column];

    public long Int64(CsvRow row, int column)
    {
        var text = row.Fields[column].Trim();
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        // pandas writes integer columns as 123.0 once they held a missing value.
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            && d == Math.Floor(d) && Math.Abs(d) < 9.0e15)
        {
            return (long)d;
        }
        throw Bad(row, column, "is not an integer");
    }

    public int Int32(CsvRow row, int column)
    {
        var value = Int64(row, column);
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw Bad(row, column, "is out of range");
    }

    public double Double(CsvRow row, int column)
    {
        var text = row.Fields[column].Trim();
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Bad(row, column, "is not a number");
    }

    /// <summary>An error about one field: "&lt;file&gt;: line N, column 'name': 'value' &lt;problem&gt;".</summary>
    public EegDataException Bad(CsvRow row, int column, string problem) =>
        EegDataException.InFile(SourceName, $"line {row.Line}, column '{Header[column]}': '{row.Fields[column]}' {problem}");

    /// <summary>Splits a text into records, tracking the line each starts on.</summary>
    private sealed class CsvRecordReader(TextReader reader, string sourceName)
    {
        private readonly StringBuilder _field = new();
        private readonly List<string> _fields = [];
        private int _line = 1;

        public bool TryRead(out int startLine, out string[] fields)
        {
            startLine = _line;
            _fields.Clear();
            _field.Clear();
            var c = reader.Read();
            if (c < 0)
            {
                fields = [];
                return false;
            }
            var inQuotes = false;
            var quotedField = false;
            var length = 0;
            while (true)
            {
                if (++length > MaxRecordChars)
                {
                    throw EegDataException.InFile(sourceName,
                        $"line {startLine}: a record longer than {MaxRecordChars} characters (not a CSV file, or a line break is missing)");
                }
                if (c < 0)
                {
                    if (inQuotes)
                    {
                        throw EegDataException.InFile(sourceName, $"line {startLine}: a quoted field is not closed before the end of the file");
                    }
                    break;
                }
                var ch = (char)c;
                if (inQuotes)
                {
                    if (ch == '"')
                    {
                        if (reader.Peek() == '"')
                        {
                            reader.Read();
                            _field.Append('"');
                        }
                        else
                        {
                            inQuotes = false;
                        }
                    }
                    else
                    {
                        if (ch == '\n')
                        {
                            _line++;
                        }
                        _field.Append(ch);
                    }
                }
                else if (ch == '"' && _field.Length == 0 && !quotedField)
                {
                    inQuotes = true;
                    quotedField = true;
                }
                else if (ch == ',')
                {
                    _fields.Add(_field.ToString());
                    _field.Clear();
                    quotedField = false;
                }
                else if (ch == '\n')
                {
                    _line++;
                    break;
                }
                else if (ch == '\r')
                {
                    if (reader.Peek() == '\n')
                    {
                        reader.Read();
                    }
                    _line++;
                    break;
                }
                else
                {
                    _field.Append(ch);
                }
                c = reader.Read();
            }
            _fields.Add(_field.ToString());
            fields = [.. _fields];
            return true;
        }
    }
}
