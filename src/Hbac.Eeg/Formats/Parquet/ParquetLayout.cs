using Parquet.Meta;
using ParquetType = Parquet.Meta.Type;

namespace Hbac.Eeg.Formats.Parquet;

/// <summary>
/// Checks a parquet file's footer and page headers against each other and against the file's length
/// before Parquet.Net is asked to decode anything: Parquet.Net trusts the declared sizes (row counts,
/// value counts, page sizes, offsets) and allocates what they say, or reads past a column's data and
/// fills the rest with nulls. Each declared size is refused here, naming the column and row group, when
/// it cannot be what the bytes hold.
/// </summary>
internal static class ParquetLayout
{
    /// <summary>
    /// Most values a column chunk may declare per byte it stores. Dictionary and run-length encoding
    /// let a flat-lined or all-null channel store ~300 values per byte (Kaggle's files store under 1);
    /// the limit bounds what a chunk makes us allocate by the file's own length.
    /// </summary>
    public const int MaxValuesPerStoredByte = 1024;

    /// <summary>Longest page header read (statistics of text columns make them grow).</summary>
    private const int MaxPageHeaderBytes = 1 << 16;

    // Levels, run headers and padding that a page of fixed-width values may add to n * width.
    private const int PageOverheadBytes = 1024;

    /// <summary>
    /// Checks the file's frame before Parquet.Net parses the footer: "PAR1" at both ends, a footer length
    /// that fits, and a footer whose every string, list and nested struct is backed by the bytes that follow
    /// (Parquet.Net allocates a declared string length or list capacity before reading it).
    /// </summary>
    public static void CheckFooter(Stream stream, string sourceName)
    {
        var origin = stream.Position;
        var length = stream.Length - origin;
        Span<byte> head = stackalloc byte[4];
        Span<byte> tail = stackalloc byte[8];
        stream.ReadExactly(head);
        stream.Position = origin + length - 8;
        stream.ReadExactly(tail);
        if (!head.SequenceEqual("PAR1"u8) || !tail[4..].SequenceEqual("PAR1"u8))
        {
            throw EegDataException.InFile(sourceName, "not a readable parquet file (the PAR1 marks at its start and end are missing)");
        }
        var footerLength = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(tail);
        if (footerLength <= 0 || footerLength > length - 12)
        {
            throw EegDataException.InFile(sourceName, $"not a readable parquet file (footer length {footerLength} does not fit in the file's {length} bytes)");
        }
        var footer = new byte[footerLength];
        stream.Position = origin + length - 8 - footerLength;
        stream.ReadExactly(footer);
        try
        {
            ParquetFooterSchema.Check(footer);
        }
        catch (FormatException e)
        {
            throw EegDataException.InFile(sourceName, $"not a readable parquet file (footer metadata: {e.Message})");
        }
        stream.Position = origin;
    }

    public static void Check(Stream stream, FileMetaData? metadata, string sourceName)
    {
        if (metadata is null)
        {
            throw EegDataException.InFile(sourceName, "not a readable parquet file (no footer metadata)");
        }
        var fileLength = stream.Length;
        var leaves = LeafRepetitions(metadata);
        var rowGroups = metadata.RowGroups ?? [];
        for (var g = 0; g < rowGroups.Count; g++)
        {
            var group = rowGroups[g];
            if (group.NumRows < 0)
            {
                throw EegDataException.InFile(sourceName, $"row group {g} declares {group.NumRows} rows");
            }
            foreach (var chunk in group.Columns ?? [])
            {
                var column = chunk.MetaData
                    ?? throw EegDataException.InFile(sourceName, $"row group {g}: a column chunk has no metadata");
                var name = string.Join('.', column.PathInSchema ?? []);
                var where = $"column '{name}' in row group {g}";
                var flat = column.PathInSchema is { Count: 1 };
                var repetition = flat ? leaves.GetValueOrDefault(name) : null;
                if (repetition != FieldRepetitionType.REPEATED && flat && column.NumValues != group.NumRows)
                {
                    throw EegDataException.InFile(sourceName, $"{where} declares {column.NumValues} values for {group.NumRows} rows");
                }
                CheckChunk(stream, fileLength, column, repetition, where, sourceName);
            }
        }
    }

    private static Dictionary<string, FieldRepetitionType?> LeafRepetitions(FileMetaData metadata)
    {
        var leaves = new Dictionary<string, FieldRepetitionType?>(StringComparer.Ordinal);
        foreach (var element in metadata.Schema?.Skip(1) ?? [])
        {
            if (element.Name is { } name && element.NumChildren is null or 0)
            {
                leaves.TryAdd(name, element.RepetitionType);
            }
        }
        return leaves;
    }

    private static void CheckChunk(Stream stream, long fileLength, ColumnMetaData column, FieldRepetitionType? repetition, string where, string sourceName)
    {
        EegDataException Bad(string problem) => EegDataException.InFile(sourceName, $"{where}: {problem}");

        if (column.NumValues < 0)
        {
            throw Bad($"declares {column.NumValues} values");
        }
        // A dictionary page comes first when there is one; 0 is what some writers leave for "none".
        var start = column.DictionaryPageOffset is > 0 and var dictionary ? dictionary : column.DataPageOffset;
        var size = column.TotalCompressedSize;
        // Data lies between the leading "PAR1" and the footer's length and trailing "PAR1".
        if (start < 4 || size <= 0 || size > fileLength - 12 || start > fileLength - 8 - size)
        {
            throw Bad($"its data ({size} bytes from offset {start}) does not lie within the file's {fileLength} bytes");
        }
        if (column.DataPageOffset < start || column.DataPageOffset >= start + size)
        {
            throw Bad($"its data page offset {column.DataPageOffset} is outside its data ({start} to {start + size})");
        }
        if (column.NumValues > MaxValuesPerStoredByte * size)
        {
            throw Bad($"declares {column.NumValues} values in {size} bytes, more than {MaxValuesPerStoredByte} per byte");
        }

        var width = FixedWidth(column);
        var end = start + size;
        var position = start;
        var values = 0L;
        var header = new byte[MaxPageHeaderBytes];
        while (position < end && values < column.NumValues)
        {
            stream.Position = position;
            var available = (int)Math.Min(header.Length, end - position);
            stream.ReadExactly(header, 0, available);
            PageHeader page;
            int headerLength;
            try
            {
                (page, headerLength) = ReadPageHeader(header.AsSpan(0, available));
            }
            catch (FormatException e)
            {
                throw Bad($"unreadable page header at offset {position} ({e.Message})");
            }
            var at = $"the page at offset {position}";
            if (page.CompressedPageSize < 0 || page.UncompressedPageSize < 0)
            {
                throw Bad($"{at} declares {page.CompressedPageSize} stored and {page.UncompressedPageSize} decoded bytes");
            }
            if (page.CompressedPageSize > end - position - headerLength)
            {
                throw Bad($"{at} declares {page.CompressedPageSize} bytes but the column's data ends {end - position - headerLength} bytes after its header");
            }
            var pageValues = page.Type switch
            {
                PageType.DATA_PAGE => page.DataPageHeader?.NumValues ?? throw Bad($"{at} is a data page without its header"),
                PageType.DATA_PAGE_V2 => page.DataPageHeaderV2?.NumValues ?? throw Bad($"{at} is a data page without its header"),
                PageType.DICTIONARY_PAGE => page.DictionaryPageHeader?.NumValues ?? throw Bad($"{at} is a dictionary page without its header"),
                _ => 0,
            };
            if (pageValues < 0 || pageValues > column.NumValues)
            {
                throw Bad($"{at} declares {pageValues} values, the column chunk {column.NumValues}");
            }
            // What decoding allocates: at most every value at full width plus levels.
            var limit = width > 0
                ? (long)pageValues * width + pageValues / 4 + PageOverheadBytes
                : (long)MaxValuesPerStoredByte * Math.Max(page.CompressedPageSize, 1) + PageOverheadBytes;
            if (page.Type != PageType.INDEX_PAGE && page.UncompressedPageSize > limit)
            {
                throw Bad($"{at} declares {page.UncompressedPageSize} decoded bytes for {pageValues} values");
            }
            if (page.Type == PageType.DATA_PAGE)
            {
                var data = page.DataPageHeader!;
                // A REQUIRED column's page holds no definition levels: plain fixed-width values are exactly n * width.
                if (repetition == FieldRepetitionType.REQUIRED && data.Encoding == Encoding.PLAIN && width > 0
                    && page.UncompressedPageSize != (long)data.NumValues * width)
                {
                    throw Bad($"declared REQUIRED, but {at} holds {page.UncompressedPageSize} bytes for {data.NumValues} plain values of {width} bytes (definition levels of an OPTIONAL column?)");
                }
                if (repetition is not null and not FieldRepetitionType.REPEATED && PageDecompression.CanCheck(column.Codec))
                {
                    stream.Position = position + headerLength;
                    var body = new byte[page.CompressedPageSize];
                    stream.ReadExactly(body);
                    var problem = PageLevels.Check(body, column.Codec, page.UncompressedPageSize, data.NumValues,
                        repetition == FieldRepetitionType.OPTIONAL, data.Encoding is Encoding.RLE_DICTIONARY or Encoding.PLAIN_DICTIONARY);
                    if (problem is not null)
                    {
                        var declared = repetition == FieldRepetitionType.OPTIONAL ? "OPTIONAL" : "REQUIRED";
                        throw Bad($"declared {declared}, but {at} {problem}");
                    }
                }
                values += data.NumValues;
            }
            else if (page.Type == PageType.DATA_PAGE_V2)
            {
                var data = page.DataPageHeaderV2!;
                if (data.NumNulls < 0 || data.NumNulls > data.NumValues || data.DefinitionLevelsByteLength < 0 || data.RepetitionLevelsByteLength < 0
                    || (long)data.DefinitionLevelsByteLength + data.RepetitionLevelsByteLength > Math.Min(page.UncompressedPageSize, page.CompressedPageSize))
                {
                    throw Bad($"{at} declares inconsistent level sizes or null count");
                }
                if (repetition == FieldRepetitionType.REQUIRED && (data.DefinitionLevelsByteLength > 0 || data.NumNulls > 0))
                {
                    throw Bad($"declared REQUIRED, but {at} holds definition levels or nulls");
                }
                values += data.NumValues;
            }
            position += headerLength + page.CompressedPageSize;
        }
        if (values != column.NumValues)
        {
            throw Bad($"its pages hold {values} values, the column chunk declares {column.NumValues}");
        }
    }

    /// <summary>Bytes per value of a fixed-width physical type, or 0 for variable-width (text, binary) and bit-packed booleans.</summary>
    private static int FixedWidth(ColumnMetaData column) => column.Type switch
    {
        ParquetType.INT32 or ParquetType.FLOAT => 4,
        ParquetType.INT64 or ParquetType.DOUBLE => 8,
        ParquetType.INT96 => 12,
        ParquetType.BOOLEAN => 1,
        _ => 0,
    };

    /// <summary>The fields of a page header that sizes depend on (parquet.thrift's PageHeader).</summary>
    private static (PageHeader Page, int Length) ReadPageHeader(ReadOnlySpan<byte> bytes)
    {
        // Types and lengths as Parquet.Net will read them first; then the values this check needs.
        var length = ParquetFooterSchema.CheckPageHeader(bytes);
        var reader = new ThriftCompactReader(bytes);
        var page = new PageHeader();
        short id = 0;
        while (reader.NextField(ref id, out var type))
        {
            switch (id, type)
            {
                case (1, ThriftCompactReader.I32): page.Type = (PageType)reader.ReadI32(); break;
                case (2, ThriftCompactReader.I32): page.UncompressedPageSize = reader.ReadI32(); break;
                case (3, ThriftCompactReader.I32): page.CompressedPageSize = reader.ReadI32(); break;
                case (5, ThriftCompactReader.Struct): page.DataPageHeader = ReadDataPageHeader(ref reader); break;
                case (7, ThriftCompactReader.Struct): page.DictionaryPageHeader = ReadDictionaryPageHeader(ref reader); break;
                case (8, ThriftCompactReader.Struct): page.DataPageHeaderV2 = ReadDataPageHeaderV2(ref reader); break;
                default: reader.Skip(type); break;
            }
        }
        return reader.Position == length ? (page, length) : throw new FormatException($"page header read as {reader.Position} and {length} bytes");
    }

    private static DataPageHeader ReadDataPageHeader(ref ThriftCompactReader reader)
    {
        var header = new DataPageHeader();
        short id = 0;
        while (reader.NextField(ref id, out var type))
        {
            switch (id, type)
            {
                case (1, ThriftCompactReader.I32): header.NumValues = reader.ReadI32(); break;
                case (2, ThriftCompactReader.I32): header.Encoding = (Encoding)reader.ReadI32(); break;
                default: reader.Skip(type, 1); break;
            }
        }
        return header;
    }

    private static DictionaryPageHeader ReadDictionaryPageHeader(ref ThriftCompactReader reader)
    {
        var header = new DictionaryPageHeader();
        short id = 0;
        while (reader.NextField(ref id, out var type))
        {
            switch (id, type)
            {
                case (1, ThriftCompactReader.I32): header.NumValues = reader.ReadI32(); break;
                default: reader.Skip(type, 1); break;
            }
        }
        return header;
    }

    private static DataPageHeaderV2 ReadDataPageHeaderV2(ref ThriftCompactReader reader)
    {
        var header = new DataPageHeaderV2();
        short id = 0;
        while (reader.NextField(ref id, out var type))
        {
            switch (id, type)
            {
                case (1, ThriftCompactReader.I32): header.NumValues = reader.ReadI32(); break;
                case (2, ThriftCompactReader.I32): header.NumNulls = reader.ReadI32(); break;
                case (3, ThriftCompactReader.I32): header.NumRows = reader.ReadI32(); break;
                case (5, ThriftCompactReader.I32): header.DefinitionLevelsByteLength = reader.ReadI32(); break;
                case (6, ThriftCompactReader.I32): header.RepetitionLevelsByteLength = reader.ReadI32(); break;
                default: reader.Skip(type, 1); break;
            }
        }
        return header;
    }
}
