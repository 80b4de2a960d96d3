using System.Buffers.Binary;
using Parquet.Meta;

namespace Hbac.Eeg.Formats.Parquet;

/// <summary>
/// Checks the start of a version-1 data page against what the schema says it holds: an OPTIONAL column's
/// page begins with its definition levels (a 4-byte length, then run-length/bit-packed levels covering every
/// value); a REQUIRED dictionary-encoded page begins with the index bit width and runs covering every value.
/// A file whose schema says one and whose pages hold the other would otherwise decode into garbage that
/// looks like numbers.
/// </summary>
internal static class PageLevels
{
    /// <summary>The problem found, in words, or null when the page's levels and runs agree with its value count.</summary>
    public static string? Check(byte[] stored, CompressionCodec codec, int decodedSize, int values, bool optional, bool dictionary)
    {
        var page = PageDecompression.Decompress(stored, codec, decodedSize, out var problem);
        if (page is null)
        {
            return problem;
        }
        if (page.Length != decodedSize)
        {
            return $"holds {page.Length} bytes, its header says {decodedSize}";
        }
        if (optional)
        {
            if (page.Length < 4)
            {
                return "has no definition levels";
            }
            var length = BinaryPrimitives.ReadInt32LittleEndian(page);
            if (length < 0 || length > page.Length - 4 || !RunsCover(page.AsSpan(4, length), bitWidth: 1, values))
            {
                return $"does not start with definition levels for its {values} values (a REQUIRED column's data?)";
            }
            return null;
        }
        if (dictionary)
        {
            if (page.Length < 1 || page[0] > 32 || !RunsCover(page.AsSpan(1), page[0], values))
            {
                return $"does not start with dictionary indices for its {values} values (definition levels of an OPTIONAL column?)";
            }
        }
        return null;
    }

    /// <summary>
    /// True when the run-length/bit-packed hybrid runs in <paramref name="bytes"/> end within it and decode to
    /// <paramref name="values"/> values (bit-packed runs round up to groups of 8).
    /// </summary>
    private static bool RunsCover(ReadOnlySpan<byte> bytes, int bitWidth, int values)
    {
        var position = 0;
        var count = 0L;
        while (count < values)
        {
            if (position >= bytes.Length || !TryReadVarint(bytes, ref position, out var header))
            {
                return false;
            }
            if ((header & 1) == 1)
            {
                var groups = (long)(header >> 1);
                count += groups * 8;
                position = (int)Math.Min(bytes.Length + 1L, position + groups * bitWidth);
            }
            else
            {
                var run = (long)(header >> 1);
                if (run == 0)
                {
                    return false;
                }
                count += run;
                position += (bitWidth + 7) / 8;
            }
            if (position > bytes.Length)
            {
                return false;
            }
        }
        return count < values + 8;
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> bytes, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 35 && position < bytes.Length; shift += 7)
        {
            var b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }
        return false;
    }
}
