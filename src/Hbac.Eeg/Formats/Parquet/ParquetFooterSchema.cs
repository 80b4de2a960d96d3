namespace Hbac.Eeg.Formats.Parquet;

/// <summary>
/// Walks a parquet footer (FileMetaData) or page header (PageHeader), compact Thrift, the way Parquet.Net
/// reads it - by field id, whatever type the bytes declare - and refuses it unless every known field
/// carries the type parquet.thrift gives it and every string, list and struct is backed by the bytes that
/// follow. Parquet.Net allocates a declared string length or list capacity before reading it, and reads a
/// known field id as its schema type even when the bytes say otherwise; both turn a few flipped bits
/// into gigabytes. Unknown field ids are skipped, as Parquet.Net skips them, except that an unknown field
/// holding a struct must be empty: Parquet.Net 6.1 skips a struct by reading its field headers only
/// (<c>SkipField</c>), so the bytes of its values would be read as the fields that follow (a fuzzed
/// footer turned them into a 2 GB string length).
/// </summary>
internal static class ParquetFooterSchema
{
    private const byte Bool = 1, I8 = ThriftCompactReader.Byte, I16 = ThriftCompactReader.I16, I32 = ThriftCompactReader.I32,
        I64 = ThriftCompactReader.I64, Binary = ThriftCompactReader.Binary, List = ThriftCompactReader.List,
        Struct = ThriftCompactReader.Struct, Double = ThriftCompactReader.Double;

    /// <summary>A field's wire type, and for a struct or a list its element (type and struct name).</summary>
    private readonly record struct Field(byte Type, string? Of = null, byte Element = 0);

    private static readonly Dictionary<string, Dictionary<short, Field>> Structs = new(StringComparer.Ordinal)
    {
        ["FileMetaData"] = new() { [1] = new(I32), [2] = new(List, "SchemaElement", Struct), [3] = new(I64), [4] = new(List, "RowGroup", Struct),
            [5] = new(List, "KeyValue", Struct), [6] = new(Binary), [7] = new(List, "ColumnOrder", Struct), [8] = new(Struct, "EncryptionAlgorithm"), [9] = new(Binary) },
        ["SchemaElement"] = new() { [1] = new(I32), [2] = new(I32), [3] = new(I32), [4] = new(Binary), [5] = new(I32), [6] = new(I32), [7] = new(I32),
            [8] = new(I32), [9] = new(I32), [10] = new(Struct, "LogicalType") },
        ["RowGroup"] = new() { [1] = new(List, "ColumnChunk", Struct), [2] = new(I64), [3] = new(I64), [4] = new(List, "SortingColumn", Struct),
            [5] = new(I64), [6] = new(I64), [7] = new(I16) },
        ["ColumnChunk"] = new() { [1] = new(Binary), [2] = new(I64), [3] = new(Struct, "ColumnMetaData"), [4] = new(I64), [5] = new(I32), [6] = new(I64),
            [7] = new(I32), [8] = new(Struct, "ColumnCryptoMetaData"), [9] = new(Binary) },
        ["ColumnMetaData"] = new() { [1] = new(I32), [2] = new(List, null, I32), [3] = new(List, null, Binary), [4] = new(I32), [5] = new(I64), [6] = new(I64),
            [7] = new(I64), [8] = new(List, "KeyValue", Struct), [9] = new(I64), [10] = new(I64), [11] = new(I64), [12] = new(Struct, "Statistics"),
            [13] = new(List, "PageEncodingStats", Struct), [14] = new(I64), [15] = new(I32), [16] = new(Struct, "SizeStatistics"), [17] = new(Struct, "GeospatialStatistics") },
        ["Statistics"] = new() { [1] = new(Binary), [2] = new(Binary), [3] = new(I64), [4] = new(I64), [5] = new(Binary), [6] = new(Binary), [7] = new(Bool), [8] = new(Bool) },
        ["KeyValue"] = new() { [1] = new(Binary), [2] = new(Binary) },
        ["SortingColumn"] = new() { [1] = new(I32), [2] = new(Bool), [3] = new(Bool) },
        ["PageEncodingStats"] = new() { [1] = new(I32), [2] = new(I32), [3] = new(I32) },
        ["ColumnOrder"] = new() { [1] = new(Struct, "Empty") },
        ["LogicalType"] = new() { [1] = new(Struct, "Empty"), [2] = new(Struct, "Empty"), [3] = new(Struct, "Empty"), [4] = new(Struct, "Empty"),
            [5] = new(Struct, "DecimalType"), [6] = new(Struct, "Empty"), [7] = new(Struct, "TimeType"), [8] = new(Struct, "TimeType"),
            [10] = new(Struct, "IntType"), [11] = new(Struct, "Empty"), [12] = new(Struct, "Empty"), [13] = new(Struct, "Empty"), [14] = new(Struct, "Empty"),
            [15] = new(Struct, "Empty"), [16] = new(Struct, "VariantType"), [17] = new(Struct, "GeometryType"), [18] = new(Struct, "GeographyType") },
        ["DecimalType"] = new() { [1] = new(I32), [2] = new(I32) },
        ["TimeType"] = new() { [1] = new(Bool), [2] = new(Struct, "TimeUnit") },
        ["TimeUnit"] = new() { [1] = new(Struct, "Empty"), [2] = new(Struct, "Empty"), [3] = new(Struct, "Empty") },
        ["IntType"] = new() { [1] = new(I8), [2] = new(Bool) },
        ["VariantType"] = new() { [1] = new(I8) },
        ["GeometryType"] = new() { [1] = new(Binary) },
        ["GeographyType"] = new() { [1] = new(Binary), [2] = new(I32) },
        ["EncryptionAlgorithm"] = new() { [1] = new(Struct, "AesGcm"), [2] = new(Struct, "AesGcm") },
        ["AesGcm"] = new() { [1] = new(Binary), [2] = new(Binary), [3] = new(Bool) },
        ["ColumnCryptoMetaData"] = new() { [1] = new(Struct, "Empty"), [2] = new(Struct, "ColumnKey") },
        ["ColumnKey"] = new() { [1] = new(List, null, Binary), [2] = new(Binary) },
        ["SizeStatistics"] = new() { [1] = new(I64), [2] = new(List, null, I64), [3] = new(List, null, I64) },
        ["GeospatialStatistics"] = new() { [1] = new(Struct, "BoundingBox"), [2] = new(List, null, I32) },
        ["BoundingBox"] = new() { [1] = new(Double), [2] = new(Double), [3] = new(Double), [4] = new(Double), [5] = new(Double), [6] = new(Double),
            [7] = new(Double), [8] = new(Double) },
        ["Empty"] = new(),
        ["PageHeader"] = new() { [1] = new(I32), [2] = new(I32), [3] = new(I32), [4] = new(I32), [5] = new(Struct, "DataPageHeader"),
            [6] = new(Struct, "Empty"), [7] = new(Struct, "DictionaryPageHeader"), [8] = new(Struct, "DataPageHeaderV2") },
        ["DataPageHeader"] = new() { [1] = new(I32), [2] = new(I32), [3] = new(I32), [4] = new(I32), [5] = new(Struct, "Statistics") },
        ["DictionaryPageHeader"] = new() { [1] = new(I32), [2] = new(I32), [3] = new(Bool) },
        ["DataPageHeaderV2"] = new() { [1] = new(I32), [2] = new(I32), [3] = new(I32), [4] = new(I32), [5] = new(I32), [6] = new(I32),
            [7] = new(Bool), [8] = new(Struct, "Statistics") },
    };

    private const int MaxDepth = 16;

    /// <summary>Checks a footer; throws <see cref="FormatException"/> naming the first field that does not match.</summary>
    public static void Check(ReadOnlySpan<byte> footer) => Walk(footer, "FileMetaData");

    /// <summary>Checks the page header at the start of <paramref name="bytes"/>; returns its length in bytes.</summary>
    public static int CheckPageHeader(ReadOnlySpan<byte> bytes) => Walk(bytes, "PageHeader");

    private static int Walk(ReadOnlySpan<byte> bytes, string root)
    {
        var reader = new ThriftCompactReader(bytes);
        ReadStruct(ref reader, root, 0);
        return reader.Position;
    }

    private static void ReadStruct(ref ThriftCompactReader reader, string name, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException($"structures nested deeper than {MaxDepth}");
        }
        var fields = Structs[name];
        short id = 0;
        while (true)
        {
            var (next, type) = reader.ReadFieldHeader(id);
            if (type == ThriftCompactReader.Stop)
            {
                return;
            }
            if (!fields.TryGetValue(next, out var field))
            {
                // An unknown field is skipped, but not a list: Parquet.Net skips some list elements without
                // reading a byte (a fuzzed ColumnOrder spun for minutes), and parquet.thrift adds none unknown here.
                if (type is ThriftCompactReader.List or ThriftCompactReader.Set)
                {
                    throw new FormatException($"{name} field {next} is an unknown list");
                }
                if (type == Struct)
                {
                    if (reader.ReadFieldHeader(0).Type != ThriftCompactReader.Stop)
                    {
                        throw new FormatException($"{name} field {next} is an unknown struct that is not empty");
                    }
                }
                else
                {
                    reader.Skip(type, depth + 1);
                }
            }
            else
            {
                var wire = type is ThriftCompactReader.BoolTrue or ThriftCompactReader.BoolFalse ? Bool : type;
                if (wire != field.Type)
                {
                    throw new FormatException($"{name} field {next} has wire type {type}, expected {field.Type}");
                }
                if (field.Type == Struct)
                {
                    ReadStruct(ref reader, field.Of!, depth + 1);
                }
                else if (field.Type == List)
                {
                    var (count, element) = reader.ReadListHeader();
                    var elementWire = element is ThriftCompactReader.BoolTrue or ThriftCompactReader.BoolFalse ? Bool : element;
                    if (elementWire != field.Element)
                    {
                        throw new FormatException($"{name} field {next} is a list of type {element}, expected {field.Element}");
                    }
                    for (var i = 0; i < count; i++)
                    {
                        if (field.Element == Struct)
                        {
                            ReadStruct(ref reader, field.Of!, depth + 1);
                        }
                        else
                        {
                            reader.Skip(field.Element == Bool ? ThriftCompactReader.Byte : field.Element, depth + 1);
                        }
                    }
                }
                else if (field.Type != Bool)
                {
                    reader.Skip(field.Type, depth + 1);
                }
            }
            id = next;
        }
    }
}
