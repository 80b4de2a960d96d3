namespace Hbac.Eeg.Formats.Parquet;

/// <summary>
/// A minimal reader of Thrift's compact protocol, enough to read a parquet page header before Parquet.Net
/// decodes the page (Parquet.Net's own reader is internal). Every read is bounds-checked against the buffer
/// and nesting is limited, so a corrupt header ends in a <see cref="FormatException"/>, never in a large
/// allocation or a deep recursion.
/// </summary>
internal ref struct ThriftCompactReader(ReadOnlySpan<byte> buffer)
{
    public const byte Stop = 0, BoolTrue = 1, BoolFalse = 2, Byte = 3, I16 = 4, I32 = 5, I64 = 6, Double = 7,
        Binary = 8, List = 9, Set = 10, Map = 11, Struct = 12;

    private const int MaxDepth = 16;

    private readonly ReadOnlySpan<byte> _buffer = buffer;

    /// <summary>Bytes consumed so far.</summary>
    public int Position { get; private set; }

    /// <summary>
    /// Moves to the next field of the current struct: false at its end; otherwise <paramref name="id"/> (the
    /// previous field's id on entry) becomes the field's id and <paramref name="type"/> its compact type.
    /// </summary>
    public bool NextField(ref short id, out byte type)
    {
        (var next, type) = ReadFieldHeader(id);
        if (type == Stop)
        {
            return false;
        }
        id = next;
        return true;
    }

    /// <summary>The next field of the current struct: its id and compact type (type <see cref="Stop"/> ends the struct).</summary>
    public (short Id, byte Type) ReadFieldHeader(short previousId)
    {
        var header = ReadByte();
        var type = (byte)(header & 0x0F);
        if (header == 0)
        {
            return (0, Stop);
        }
        if (type == Stop)
        {
            // Only the byte 0 ends a struct; Parquet.Net reads a type-0 header with an id delta as a field.
            throw new FormatException($"field header 0x{header:x2} has no type");
        }
        var delta = header >> 4;
        // Ids outside 1..32767 are refused rather than wrapped: a reader that wraps them differently
        // (Parquet.Net) would see another field than the one checked here.
        var id = delta != 0 ? previousId + delta : ZigZag(ReadVarint());
        if (id is < 1 or > short.MaxValue)
        {
            throw new FormatException($"field id {id} out of range");
        }
        return ((short)id, type);
    }

    public int ReadI32()
    {
        var value = ZigZag(ReadVarint());
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw new FormatException($"i32 value {value} out of range");
    }

    public long ReadI64() => ZigZag(ReadVarint());

    /// <summary>A list's element count (at most the bytes left: every element takes one) and element type.</summary>
    public (int Count, byte Element) ReadListHeader()
    {
        var header = ReadByte();
        var count = header >> 4 == 15 ? ReadLength() : header >> 4;
        if (count > _buffer.Length - Position)
        {
            throw new FormatException($"a list of {count} elements runs past the header");
        }
        return (count, (byte)(header & 0x0F));
    }

    /// <summary>Skips a value of the given compact type (nested containers included).</summary>
    public void Skip(byte type, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException($"thrift structures nested deeper than {MaxDepth}");
        }
        switch (type)
        {
            case BoolTrue or BoolFalse:
                return;
            case Byte:
                ReadByte();
                return;
            case I16 or I32 or I64:
                ReadVarint();
                return;
            case Double:
                Advance(8);
                return;
            case Binary:
                Advance(ReadLength());
                return;
            case List or Set:
                {
                    var header = ReadByte();
                    var count = header >> 4 == 15 ? ReadLength() : header >> 4;
                    var element = (byte)(header & 0x0F);
                    // parquet.thrift has no list of booleans, and Parquet.Net skips such elements without
                    // reading a byte: a declared count of 2^31 would spin for minutes.
                    if (element is BoolTrue or BoolFalse or Stop)
                    {
                        throw new FormatException($"a list of compact type {element}, which parquet metadata never holds");
                    }
                    for (var i = 0; i < count; i++)
                    {
                        Skip(element, depth + 1);
                    }
                    return;
                }
            case Map:
                // No parquet.thrift structure holds a map.
                throw new FormatException("a map, which parquet metadata never holds");
            case Struct:
                {
                    short id = 0;
                    while (true)
                    {
                        var (next, fieldType) = ReadFieldHeader(id);
                        if (fieldType == Stop)
                        {
                            return;
                        }
                        Skip(fieldType, depth + 1);
                        id = next;
                    }
                }
            default:
                throw new FormatException($"unknown thrift compact type {type}");
        }
    }

    private int ReadLength()
    {
        var length = ReadVarint();
        return length <= (ulong)(_buffer.Length - Position) ? (int)length : throw new FormatException($"length {length} runs past the header");
    }

    private byte ReadByte() =>
        Position < _buffer.Length ? _buffer[Position++] : throw new FormatException("the header ends early");

    private void Advance(int count)
    {
        if (count > _buffer.Length - Position)
        {
            throw new FormatException("the header ends early");
        }
        Position += count;
    }

    private ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
        throw new FormatException("varint longer than 10 bytes");
    }

    private static long ZigZag(ulong n) => (long)(n >> 1) ^ -(long)(n & 1);
}
