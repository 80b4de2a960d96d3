using System.Buffers.Binary;

namespace Hbac.Eeg.Tests.Hardening;

/// <summary>
/// Edits the metadata of a parquet file as a corrupt or hostile writer would: footer fields (row counts,
/// value counts, offsets, repetition) and page header fields, keeping every other byte and every offset valid.
/// Field ids are parquet.thrift's.
/// </summary>
internal sealed class ParquetSurgery
{
    // FileMetaData
    public const short SchemaField = 2, RowGroupsField = 4;
    // RowGroup
    public const short ColumnsField = 1, RowGroupRowsField = 3;
    // ColumnChunk
    public const short FileOffsetField = 2, ColumnMetaDataField = 3;
    // ColumnMetaData
    public const short CodecField = 4, PathField = 3, NumValuesField = 5, UncompressedSizeField = 6, CompressedSizeField = 7,
        DataPageOffsetField = 9, DictionaryPageOffsetField = 11;
    // SchemaElement
    public const short RepetitionField = 3, NameField = 4;
    // PageHeader / DataPageHeader
    public const short PageUncompressedSizeField = 2, PageCompressedSizeField = 3, DataPageHeaderField = 5, PageNumValuesField = 1;

    private byte[] _bytes;

    public ParquetSurgery(byte[] bytes)
    {
        _bytes = bytes;
        Footer = ReadFooter(bytes);
    }

    public ThriftStruct Footer { get; private set; }

    public IEnumerable<ThriftStruct> RowGroups => Footer.List(RowGroupsField).Cast<ThriftStruct>();

    public ThriftStruct RowGroup(int g) => (ThriftStruct)Footer.List(RowGroupsField)[g]!;

    /// <summary>The ColumnMetaData of a column (by name) in a row group.</summary>
    public ThriftStruct Column(int g, string name) =>
        RowGroup(g).List(ColumnsField).Cast<ThriftStruct>().Select(c => c.Struct(ColumnMetaDataField))
            .Single(m => System.Text.Encoding.UTF8.GetString((byte[])m.List(PathField)[0]!) == name);

    public ThriftStruct SchemaElement(string name) =>
        Footer.List(SchemaField).Cast<ThriftStruct>()
            .Single(e => e.Has(NameField) && System.Text.Encoding.UTF8.GetString((byte[])e.Field(NameField).Value!) == name);

    /// <summary>Replaces the page header at a column's data page offset, moving later bytes and fixing every offset.</summary>
    public void EditDataPageHeader(int g, string name, Action<ThriftStruct> edit)
    {
        var column = Column(g, name);
        var at = (int)column.Integer(DataPageOffsetField);
        var (header, length) = ThriftStruct.Read(_bytes.AsSpan(at));
        edit(header);
        var replacement = header.ToBytes();
        var shift = replacement.Length - length;
        _bytes = [.. _bytes[..at], .. replacement, .. _bytes[(at + length)..]];
        foreach (var group in RowGroups)
        {
            foreach (var chunk in group.List(ColumnsField).Cast<ThriftStruct>())
            {
                var meta = chunk.Struct(ColumnMetaDataField);
                foreach (var field in new[] { DataPageOffsetField, DictionaryPageOffsetField })
                {
                    if (meta.Has(field) && meta.Integer(field) > at)
                    {
                        meta.Set(field, meta.Integer(field) + shift);
                    }
                }
                if (chunk.Has(FileOffsetField) && chunk.Integer(FileOffsetField) > at)
                {
                    chunk.Set(FileOffsetField, chunk.Integer(FileOffsetField) + shift);
                }
            }
        }
        column.Set(CompressedSizeField, column.Integer(CompressedSizeField) + shift);
        column.Set(UncompressedSizeField, column.Integer(UncompressedSizeField) + shift);
    }

    public byte[] ToBytes()
    {
        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(_bytes.AsSpan(_bytes.Length - 8));
        var footer = Footer.ToBytes();
        var result = new byte[_bytes.Length - 8 - footerLength + footer.Length + 8];
        _bytes.AsSpan(0, _bytes.Length - 8 - footerLength).CopyTo(result);
        footer.CopyTo(result, _bytes.Length - 8 - footerLength);
        BinaryPrimitives.WriteInt32LittleEndian(result.AsSpan(result.Length - 8), footer.Length);
        "PAR1"u8.CopyTo(result.AsSpan(result.Length - 4));
        return result;
    }

    private static ThriftStruct ReadFooter(byte[] bytes)
    {
        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(bytes.Length - 8));
        return ThriftStruct.Read(bytes.AsSpan(bytes.Length - 8 - footerLength, footerLength)).Value;
    }
}
