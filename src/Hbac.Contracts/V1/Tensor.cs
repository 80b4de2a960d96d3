using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;

namespace Hbac.Contracts.V1;

/// <summary>Conversions between the wire tensor (float32 little-endian bytes) and float arrays.</summary>
public sealed partial class Tensor
{
    /// <summary>Packs values (row-major) with their shape; throws when the counts disagree.</summary>
    public static Tensor FromFloats(ReadOnlySpan<int> shape, ReadOnlySpan<float> values)
    {
        var tensor = new Tensor();
        long count = 1;
        foreach (var dimension in shape)
        {
            if (dimension <= 0)
            {
                throw new ArgumentException($"shape: dimension {dimension} must be > 0", nameof(shape));
            }
            tensor.Shape.Add(dimension);
            count *= dimension;
        }
        if (count != values.Length)
        {
            throw new ArgumentException(
                $"shape [{string.Join(", ", shape.ToArray())}] needs {count} values, got {values.Length}", nameof(values));
        }
        var bytes = new byte[values.Length * sizeof(float)];
        WriteLittleEndian(values, bytes);
        tensor.Data = UnsafeByteOperations.UnsafeWrap(bytes);
        return tensor;
    }

    /// <summary>Number of elements the shape describes; throws on a non-positive dimension.</summary>
    public long ElementCount()
    {
        long count = 1;
        for (var i = 0; i < Shape.Count; i++)
        {
            if (Shape[i] <= 0)
            {
                throw new InvalidTensorException($"shape[{i}]: dimension {Shape[i]} must be > 0");
            }
            count = checked(count * Shape[i]);
        }
        return count;
    }

    /// <summary>
    /// Unpacks the values; throws <see cref="InvalidTensorException"/> naming the field when the
    /// shape is empty, a dimension is not positive, or data's length is not 4 * product(shape).
    /// </summary>
    public float[] ToFloats()
    {
        var values = new float[CheckedElementCount()];
        ReadLittleEndian(Data.Span, values);
        return values;
    }

    /// <summary>
    /// The values where they lie in <c>data</c>, checked as <see cref="ToFloats"/> checks them: no copy on a
    /// little-endian machine (a Score call's 480 kB plane is read once, by whatever pools or checks it).
    /// </summary>
    public ReadOnlySpan<float> FloatSpan()
    {
        var count = CheckedElementCount();
        return BitConverter.IsLittleEndian ? MemoryMarshal.Cast<byte, float>(Data.Span)[..(int)count] : ToFloats();
    }

    private long CheckedElementCount()
    {
        if (Shape.Count == 0)
        {
            throw new InvalidTensorException("shape: must have at least one dimension");
        }
        var count = ElementCount();
        if (Data.Length != count * sizeof(float))
        {
            throw new InvalidTensorException(
                $"data: {Data.Length} bytes, shape [{string.Join(", ", Shape)}] needs {count * sizeof(float)}");
        }
        return count;
    }

    /// <summary>The shape as ints (the dimensions of every tensor here fit in an int).</summary>
    public int[] ShapeAsInts() => Shape.Select(d => checked((int)d)).ToArray();

    private static void WriteLittleEndian(ReadOnlySpan<float> values, Span<byte> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(destination);
            return;
        }
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(destination[(i * sizeof(float))..], values[i]);
        }
    }

    private static void ReadLittleEndian(ReadOnlySpan<byte> source, Span<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            source.CopyTo(MemoryMarshal.AsBytes(values));
            return;
        }
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(i * sizeof(float))..]);
        }
    }
}

/// <summary>A wire tensor whose shape and data disagree; the message names the field.</summary>
public sealed class InvalidTensorException(string message) : Exception(message);
