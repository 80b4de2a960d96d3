using System.Buffers.Binary;

namespace Hbac.Eeg.Tests.Hardening;

/// <summary>
/// A Thrift compact-protocol struct as a tree of fields, read and written back byte for byte, so tests can
/// change one field of a parquet footer or page header (a row count, a value count, an offset) and keep
/// the rest as the writer made it.
/// </summary>
internal sealed class ThriftStruct
{
    public List<ThriftField> Fields { get; } = [];

    public ThriftField Field(short id) => Fields.Single(f => f.Id == id);

    public ThriftStruct Struct(short id) => (ThriftStruct)Field(id).Value!;

    public List<object?> List(short id) => ((ThriftList)Field(id).Value!).Items;

    public long Integer(short id) => (long)Field(id).Value!;

    public bool Has(short id) => Fields.Any(f => f.Id == id);

    public void Set(short id, long value) => Field(id).Value = value;

    public static (ThriftStruct Value, int Length) Read(ReadOnlySpan<byte> bytes)
    {
        var position = 0;
        var value = ReadStruct(bytes, ref position);
        return (value, position);
    }

    public byte[] ToBytes()
    {
        var output = new List<byte>();
        WriteStruct(output, this);
        return [.. output];
    }

    private static ThriftStruct ReadStruct(ReadOnlySpan<byte> bytes, ref int position)
    {
        var result = new ThriftStruct();
        short id = 0;
        while (true)
        {
            var header = bytes[position++];
            var type = (byte)(header & 0x0F);
            if (type == 0)
            {
                return result;
            }
            id = (header >> 4) != 0 ? (short)(id + (header >> 4)) : (short)ZigZag(ReadVarint(bytes, ref position));
            var value = type is 1 or 2 ? (object)(type == 1) : ReadValue(bytes, ref position, type);
            result.Fields.Add(new ThriftField(id, type, value));
        }
    }

    private static object? ReadValue(ReadOnlySpan<byte> bytes, ref int position, byte type)
    {
        switch (type)
        {
            case 1 or 2:
                return bytes[position++] == 1;
            case 3:
                return (long)(sbyte)bytes[position++];
            case 4 or 5 or 6:
                return ZigZag(ReadVarint(bytes, ref position));
            case 7:
                var d = BinaryPrimitives.ReadDoubleLittleEndian(bytes[position..]);
                position += 8;
                return d;
            case 8:
                var length = (int)ReadVarint(bytes, ref position);
                var data = bytes.Slice(position, length).ToArray();
                position += length;
                return data;
            case 9 or 10:
                var listHeader = bytes[position++];
                var count = (listHeader >> 4) == 15 ? (int)ReadVarint(bytes, ref position) : listHeader >> 4;
                var list = new ThriftList((byte)(listHeader & 0x0F));
                for (var i = 0; i < count; i++)
                {
                    list.Items.Add(ReadValue(bytes, ref position, list.ElementType));
                }
                return list;
            case 12:
                return ReadStruct(bytes, ref position);
            default:
                throw new NotSupportedException($"thrift compact type {type} in a test file");
        }
    }

    private static void WriteStruct(List<byte> output, ThriftStruct value)
    {
        short id = 0;
        foreach (var field in value.Fields)
        {
            var type = field.Type is 1 or 2 ? (byte)((bool)field.Value! ? 1 : 2) : field.Type;
            var delta = field.Id - id;
            if (delta is > 0 and <= 15)
            {
                output.Add((byte)((delta << 4) | type));
            }
            else
            {
                output.Add(type);
                WriteVarint(output, ZigZagEncode(field.Id));
            }
            if (type is not (1 or 2))
            {
                WriteValue(output, type, field.Value);
            }
            id = field.Id;
        }
        output.Add(0);
    }

    private static void WriteValue(List<byte> output, byte type, object? value)
    {
        switch (type)
        {
            case 1 or 2:
                output.Add((bool)value! ? (byte)1 : (byte)0);
                break;
            case 3:
                output.Add((byte)(sbyte)(long)value!);
                break;
            case 4 or 5 or 6:
                WriteVarint(output, ZigZagEncode((long)value!));
                break;
            case 7:
                var d = new byte[8];
                BinaryPrimitives.WriteDoubleLittleEndian(d, (double)value!);
                output.AddRange(d);
                break;
            case 8:
                var data = (byte[])value!;
                WriteVarint(output, (ulong)data.Length);
                output.AddRange(data);
                break;
            case 9 or 10:
                var list = (ThriftList)value!;
                if (list.Items.Count < 15)
                {
                    output.Add((byte)((list.Items.Count << 4) | list.ElementType));
                }
                else
                {
                    output.Add((byte)(0xF0 | list.ElementType));
                    WriteVarint(output, (ulong)list.Items.Count);
                }
                foreach (var item in list.Items)
                {
                    WriteValue(output, list.ElementType, item);
                }
                break;
            case 12:
                WriteStruct(output, (ThriftStruct)value!);
                break;
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }

    private static void WriteVarint(List<byte> output, ulong value)
    {
        while (value >= 0x80)
        {
            output.Add((byte)(value | 0x80));
            value >>= 7;
        }
        output.Add((byte)value);
    }

    private static long ZigZag(ulong n) => (long)(n >> 1) ^ -(long)(n & 1);

    private static ulong ZigZagEncode(long n) => (ulong)((n << 1) ^ (n >> 63));
}

internal sealed class ThriftField(short id, byte type, object? value)
{
    public short Id { get; } = id;

    public byte Type { get; } = type;

    public object? Value { get; set; } = value;
}

internal sealed class ThriftList(byte elementType)
{
    public byte ElementType { get; } = elementType;

    public List<object?> Items { get; } = [];
}
