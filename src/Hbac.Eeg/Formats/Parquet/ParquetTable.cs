using System.Numerics;
using Parquet;
using Parquet.Schema;

namespace Hbac.Eeg.Formats.Parquet;

/// <summary>
/// A flat parquet file opened for reading numeric columns by name across all row groups.
/// Every failure of the parquet library (not a parquet file, truncated, corrupt pages) becomes one
/// <see cref="EegDataException"/> naming the source, so callers never see Parquet.Net's own exceptions.
/// </summary>
internal sealed class ParquetTable : IAsyncDisposable
{
    private readonly ParquetReader _reader;
    // Opened once: opening a row group reader per column costs as much as decoding the column.
    private readonly ParquetRowGroupReader[] _rowGroups;
    private readonly Dictionary<string, DataField> _fields;
    private readonly Dictionary<string, string> _physicalTypes = new(StringComparer.Ordinal);

    private ParquetTable(string sourceName, ParquetReader reader, DataField[] fields, ParquetRowGroupReader[] rowGroups)
    {
        SourceName = sourceName;
        _reader = reader;
        _rowGroups = rowGroups;
        var rowGroupRows = Array.ConvertAll(rowGroups, g => g.RowCount);
        Fields = fields;
        RowGroupRows = rowGroupRows;
        _fields = new Dictionary<string, DataField>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            _fields.TryAdd(field.Name, field);
        }
        foreach (var element in reader.Metadata?.Schema ?? [])
        {
            if (element.Type is { } physical && element.Name is { } name)
            {
                _physicalTypes.TryAdd(name, physical.ToString());
            }
        }
        var total = 0L;
        foreach (var rows in rowGroupRows)
        {
            total += rows;
        }
        if (total > int.MaxValue)
        {
            throw EegDataException.InFile(sourceName, $"{total} rows is more than this reader supports");
        }
        RowCount = (int)total;
    }

    public string SourceName { get; }

    /// <summary>The leaf columns in file order.</summary>
    public IReadOnlyList<DataField> Fields { get; }

    public IReadOnlyList<long> RowGroupRows { get; }

    public int RowCount { get; }

    // Parquet readers seek to every column chunk; small files (all Kaggle files) are read whole first.
    private const long WholeFileLimit = 256L << 20;

    /// <summary>A readable stream over a parquet file (in memory when it is small).</summary>
    public static Stream OpenFile(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        if (file.Length > WholeFileLimit)
        {
            return file;
        }
        using (file)
        {
            var bytes = new byte[file.Length];
            file.ReadExactly(bytes);
            return new MemoryStream(bytes, writable: false);
        }
    }

    public static async Task<ParquetTable> OpenAsync(Stream stream, string sourceName, CancellationToken ct)
    {
        if (!stream.CanSeek)
        {
            // Parquet keeps its metadata in a footer, so it needs random access.
            var copy = new MemoryStream();
            await stream.CopyToAsync(copy, ct);
            copy.Position = 0;
            stream = copy;
        }
        var length = stream.Length - stream.Position;
        if (length == 0)
        {
            throw EegDataException.InFile(sourceName, "empty file, expected a parquet file");
        }
        if (length < 12)
        {
            throw EegDataException.InFile(sourceName, $"only {length} bytes, too short to be a parquet file");
        }

        ParquetReader? reader = null;
        try
        {
            ParquetLayout.CheckFooter(stream, sourceName);
            reader = await ParquetReader.CreateAsync(stream, null, leaveStreamOpen: true, ct);
            // Declared sizes are checked against the bytes before Parquet.Net allocates what they say.
            ParquetLayout.Check(stream, reader.Metadata, sourceName);
            var fields = reader.Schema.GetDataFields();
            var rowGroups = new ParquetRowGroupReader[reader.RowGroupCount];
            for (var g = 0; g < rowGroups.Length; g++)
            {
                rowGroups[g] = reader.OpenRowGroupReader(g);
            }
            return new ParquetTable(sourceName, reader, fields, rowGroups);
        }
        catch (Exception e)
        {
            if (reader is not null)
            {
                await reader.DisposeAsync();
            }
            if (IsLibraryFailure(e))
            {
                throw NotReadable(sourceName, e);
            }
            throw;
        }
    }

    public DataField? Find(string name) => _fields.GetValueOrDefault(name);

    /// <summary>The parquet physical type as stored (INT32, INT64, FLOAT...), which a logical type may narrow.</summary>
    public string PhysicalType(DataField field) => _physicalTypes.GetValueOrDefault(field.Name, TypeName(field));

    public static bool IsFloatingPoint(DataField field) => field.ClrType == typeof(float) || field.ClrType == typeof(double);

    public static bool IsNumeric(DataField field) => NumericTypes.Contains(field.ClrType);

    /// <summary>A readable name of a column's type for error messages (Parquet.Net 6 maps text to ReadOnlyMemory).</summary>
    public static string TypeName(DataField field)
    {
        var t = field.ClrType;
        if (t == typeof(string) || t == typeof(byte[]) || (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(ReadOnlyMemory<>)))
        {
            return "text/binary";
        }
        return t == typeof(float) ? "float" : t == typeof(double) ? "double" : t.Name;
    }

    private static readonly HashSet<Type> NumericTypes =
    [
        typeof(float), typeof(double), typeof(sbyte), typeof(byte), typeof(short), typeof(ushort),
        typeof(int), typeof(uint), typeof(long), typeof(ulong),
    ];

    /// <summary>
    /// Reads a float or double column of every row group into <paramref name="destination"/>
    /// (length <see cref="RowCount"/>); nulls become NaN.
    /// </summary>
    public async Task ReadSinglesAsync(DataField field, Memory<float> destination, CancellationToken ct)
    {
        if (field.ClrType == typeof(float))
        {
            await ReadAsync<float>(field, destination, static v => v, ct);
        }
        else if (field.ClrType == typeof(double))
        {
            await ReadAsync<double>(field, destination, static v => (float)v, ct);
        }
        else
        {
            throw EegDataException.InFile(SourceName, $"column '{field.Name}' has type {TypeName(field)}, expected float or double");
        }
    }

    /// <summary>Reads any integer or floating column as float (time stamps); nulls become NaN.</summary>
    public Task ReadNumbersAsSinglesAsync(DataField field, Memory<float> destination, CancellationToken ct)
    {
        var type = field.ClrType;
        if (type == typeof(float) || type == typeof(double))
        {
            return ReadSinglesAsync(field, destination, ct);
        }
        if (type == typeof(int)) return ReadIntegersAsync<int>(field, destination, ct);
        if (type == typeof(long)) return ReadIntegersAsync<long>(field, destination, ct);
        if (type == typeof(short)) return ReadIntegersAsync<short>(field, destination, ct);
        if (type == typeof(sbyte)) return ReadIntegersAsync<sbyte>(field, destination, ct);
        if (type == typeof(byte)) return ReadIntegersAsync<byte>(field, destination, ct);
        if (type == typeof(ushort)) return ReadIntegersAsync<ushort>(field, destination, ct);
        if (type == typeof(uint)) return ReadIntegersAsync<uint>(field, destination, ct);
        if (type == typeof(ulong)) return ReadIntegersAsync<ulong>(field, destination, ct);
        throw EegDataException.InFile(SourceName, $"column '{field.Name}' has type {TypeName(field)}, expected a number");
    }

    private Task ReadIntegersAsync<T>(DataField field, Memory<float> destination, CancellationToken ct)
        where T : struct, INumberBase<T> =>
        ReadAsync<T>(field, destination, static v => float.CreateTruncating(v), ct);

    private async Task ReadAsync<T>(DataField field, Memory<float> destination, Func<T, float> convert, CancellationToken ct)
        where T : struct
    {
        if (destination.Length != RowCount)
        {
            throw new ArgumentException($"destination holds {destination.Length} values, the file has {RowCount} rows", nameof(destination));
        }
        var offset = 0;
        for (var g = 0; g < RowGroupRows.Count; g++)
        {
            var rows = (int)RowGroupRows[g];
            var target = destination.Slice(offset, rows);
            try
            {
                var group = _rowGroups[g];
                if (field.IsNullable)
                {
                    var buffer = new T?[rows];
                    await group.ReadAsync<T>(field, buffer.AsMemory(), null, ct);
                    Convert(buffer, target.Span, convert);
                }
                else
                {
                    var buffer = new T[rows];
                    await group.ReadAsync<T>(field, buffer.AsMemory(), null, ct);
                    Convert(buffer, target.Span, convert);
                }
            }
            catch (Exception e) when (IsLibraryFailure(e))
            {
                throw NotReadable(SourceName, e, $"column '{field.Name}' in row group {g}");
            }
            offset += rows;
        }
    }

    private static void Convert<T>(T?[] source, Span<float> target, Func<T, float> convert) where T : struct
    {
        for (var i = 0; i < source.Length; i++)
        {
            target[i] = source[i] is { } v ? convert(v) : float.NaN;
        }
    }

    private static void Convert<T>(T[] source, Span<float> target, Func<T, float> convert) where T : struct
    {
        for (var i = 0; i < source.Length; i++)
        {
            target[i] = convert(source[i]);
        }
    }

    // Corrupt or foreign files make Parquet.Net throw many kinds of exceptions (IOException,
    // InvalidDataException, ArgumentException, IndexOutOfRange, Thrift errors...); only our own
    // errors and cancellation pass through unchanged.
    private static bool IsLibraryFailure(Exception e) =>
        e is not (EegDataException or OperationCanceledException or OutOfMemoryException);

    private static EegDataException NotReadable(string sourceName, Exception e, string? where = null)
    {
        var detail = e.Message.ReplaceLineEndings(" ").Trim();
        var what = where is null ? "not a readable parquet file" : $"cannot read {where}";
        return EegDataException.InFile(sourceName, $"{what} ({e.GetType().Name}: {detail})", e);
    }

    public ValueTask DisposeAsync()
    {
        foreach (var group in _rowGroups)
        {
            group.Dispose();
        }
        return _reader.DisposeAsync();
    }
}
