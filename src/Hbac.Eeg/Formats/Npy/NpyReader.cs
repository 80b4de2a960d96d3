using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Hbac.Eeg.Formats.Npy;

/// <summary>
/// Reads .npy files holding a float32 or float64 (converted) array of either byte order, in C or Fortran order
/// (returned in C order), format 1.0, 2.0 or 3.0. Anything else (other dtypes, short data) is reported in one line
/// naming the file.
/// </summary>
public static partial class NpyReader
{
    public static NpyArray Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return Read(stream, path);
    }

    /// <summary>
    /// Longest header accepted: numpy itself refuses headers over 10,000 bytes unless told otherwise
    /// (<c>max_header_size</c>); a 4-GB length field must not become a 4-GB buffer.
    /// </summary>
    public const int MaxHeaderBytes = 65_536;

    public static NpyArray Read(Stream stream, string sourceName)
    {
        if (!stream.CanSeek)
        {
            // The data length is checked against what the file holds before anything is allocated.
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            stream = copy;
        }
        var prefix = new byte[8];
        if (ReadFully(stream, prefix) < prefix.Length || !prefix.AsSpan(0, 6).SequenceEqual(NpyFormat.Magic))
        {
            throw EegDataException.InFile(sourceName, "not a .npy file (missing the \\x93NUMPY magic)");
        }
        var major = prefix[6];
        var lengthBytes = major switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw EegDataException.InFile(sourceName, $".npy format version {major}.{prefix[7]} is not supported"),
        };
        var lengthField = new byte[lengthBytes];
        if (ReadFully(stream, lengthField) < lengthBytes)
        {
            throw EegDataException.InFile(sourceName, "truncated .npy header");
        }
        var headerLength = lengthBytes == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(lengthField)
            : BinaryPrimitives.ReadUInt32LittleEndian(lengthField);
        if (headerLength > MaxHeaderBytes)
        {
            throw EegDataException.InFile(sourceName, $".npy header length {headerLength} is over the {MaxHeaderBytes}-byte limit");
        }
        if (headerLength > Remaining(stream))
        {
            throw EegDataException.InFile(sourceName, $"truncated .npy header: it declares {headerLength} bytes, the file has {Remaining(stream)} left");
        }
        var headerBytes = new byte[headerLength];
        if (ReadFully(stream, headerBytes) < headerLength)
        {
            throw EegDataException.InFile(sourceName, "truncated .npy header");
        }
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var (descr, fortranOrder, shape) = ParseHeader(header, sourceName);
        var (itemBytes, bigEndian) = descr switch
        {
            "<f4" => (4, false),
            ">f4" => (4, true),
            "<f8" => (8, false),
            ">f8" => (8, true),
            _ => throw EegDataException.InFile(sourceName, $"dtype '{descr}' is not supported, expected a float32 or float64 array ('<f4', '<f8', '>f4' or '>f8')"),
        };
        // Checked before allocating: the shape must fit in the bytes that follow the header.
        var count = ElementCount(shape, sourceName);
        var remaining = Remaining(stream);
        if (count > remaining / itemBytes)
        {
            throw EegDataException.InFile(sourceName,
                $"truncated .npy data: shape {NpyFormat.ShapeText(shape)} needs {count * itemBytes} bytes of '{descr}', the file has {remaining} after the header");
        }
        if (count > Array.MaxLength)
        {
            throw EegDataException.InFile(sourceName, $"shape {NpyFormat.ShapeText(shape)} is too large");
        }
        var values = new float[count];
        if (itemBytes == 4)
        {
            ReadData(stream, MemoryMarshal.AsBytes(values.AsSpan()), sourceName, shape);
            if (bigEndian)
            {
                var bits = MemoryMarshal.Cast<float, int>(values.AsSpan());
                BinaryPrimitives.ReverseEndianness(bits, bits);
            }
        }
        else
        {
            var doubles = new double[count];
            ReadData(stream, MemoryMarshal.AsBytes(doubles.AsSpan()), sourceName, shape);
            if (bigEndian)
            {
                var bits = MemoryMarshal.Cast<double, long>(doubles.AsSpan());
                BinaryPrimitives.ReverseEndianness(bits, bits);
            }
            for (var i = 0; i < doubles.Length; i++)
            {
                values[i] = (float)doubles[i];
            }
        }
        // np.save writes a transposed array (a.T) in Fortran order as it lies in memory; callers get C order.
        return new NpyArray(fortranOrder ? ToCOrder(values, shape) : values, shape, descr, fortranOrder);
    }

    /// <summary>Reorders column-major (Fortran) values of <paramref name="shape"/> into row-major (C) order.</summary>
    internal static float[] ToCOrder(float[] fortran, int[] shape)
    {
        if (shape.Length < 2)
        {
            return fortran;
        }
        var c = new float[fortran.Length];
        // Fortran strides: the first axis moves fastest.
        var strides = new long[shape.Length];
        var stride = 1L;
        for (var axis = 0; axis < shape.Length; axis++)
        {
            strides[axis] = stride;
            stride *= shape[axis];
        }
        var index = new int[shape.Length];
        var source = 0L;
        for (var i = 0; i < c.Length; i++)
        {
            c[i] = fortran[source];
            // Advance the C-order multi-index (last axis fastest), keeping the Fortran offset in step.
            for (var axis = shape.Length - 1; axis >= 0; axis--)
            {
                index[axis]++;
                source += strides[axis];
                if (index[axis] < shape[axis])
                {
                    break;
                }
                source -= strides[axis] * shape[axis];
                index[axis] = 0;
            }
        }
        return c;
    }

    private static long Remaining(Stream stream) => Math.Max(0, stream.Length - stream.Position);

    /// <summary>The product of the dimensions, refused by name once it passes what any array can hold.</summary>
    private static long ElementCount(int[] shape, string sourceName)
    {
        var count = 1L;
        foreach (var d in shape)
        {
            count *= d;
            if (count > Array.MaxLength)
            {
                throw EegDataException.InFile(sourceName, $"shape {NpyFormat.ShapeText(shape)} is too large");
            }
        }
        return count;
    }

    private static (string Descr, bool FortranOrder, int[] Shape) ParseHeader(string header, string sourceName)
    {
        var descr = DescrPattern().Match(header);
        var fortran = FortranPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success)
        {
            throw EegDataException.InFile(sourceName, $"malformed .npy header '{header.Trim()}'");
        }
        var dims = new List<int>();
        foreach (var part in shape.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var d))
            {
                throw EegDataException.InFile(sourceName, $"bad dimension '{part}' in .npy shape ({shape.Groups[1].Value})");
            }
            dims.Add(d);
        }
        return (descr.Groups[1].Value, fortran.Groups[1].Value == "True", [.. dims]);
    }

    private static void ReadData(Stream stream, Span<byte> target, string sourceName, int[] shape)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("reading .npy data needs a little-endian machine");
        }
        var read = ReadFully(stream, target);
        if (read < target.Length)
        {
            throw EegDataException.InFile(sourceName, $"truncated .npy data: {read} of {target.Length} bytes for shape {NpyFormat.ShapeText(shape)}");
        }
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = stream.Read(buffer[total..]);
            if (n == 0)
            {
                break;
            }
            total += n;
        }
        return total;
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
