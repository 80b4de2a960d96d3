using System.IO.Compression;
using Parquet.Meta;

namespace Hbac.Eeg.Formats.Parquet;

/// <summary>
/// Decompresses one stored page body for <see cref="PageLevels"/> with the codecs Parquet.Net reads, never
/// producing more than the page header's decoded size plus one byte: a body that would inflate past its
/// declared size is reported, not followed.
/// </summary>
internal static class PageDecompression
{
    /// <summary>True for the codecs this class can check; pages of others (LZO, Hadoop-framed LZ4) are left to Parquet.Net.</summary>
    public static bool CanCheck(CompressionCodec codec) => codec is CompressionCodec.UNCOMPRESSED or CompressionCodec.SNAPPY
        or CompressionCodec.GZIP or CompressionCodec.ZSTD or CompressionCodec.BROTLI or CompressionCodec.LZ4_RAW;

    /// <summary>The decoded page, or null with <paramref name="problem"/> in words.</summary>
    public static byte[]? Decompress(byte[] stored, CompressionCodec codec, int decodedSize, out string? problem)
    {
        problem = null;
        try
        {
            return codec switch
            {
                CompressionCodec.UNCOMPRESSED => stored,
                CompressionCodec.SNAPPY => Snappy(stored, decodedSize, ref problem),
                CompressionCodec.LZ4_RAW => Lz4Raw(stored, decodedSize, ref problem),
                CompressionCodec.GZIP => Bounded(new GZipStream(new MemoryStream(stored), CompressionMode.Decompress), decodedSize, ref problem),
                CompressionCodec.BROTLI => Bounded(new BrotliStream(new MemoryStream(stored), CompressionMode.Decompress), decodedSize, ref problem),
                CompressionCodec.ZSTD => Bounded(new ZstdSharp.DecompressionStream(new MemoryStream(stored)), decodedSize, ref problem),
                _ => throw new ArgumentOutOfRangeException(nameof(codec), codec, "not a codec this check reads"),
            };
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ZstdSharp.ZstdException or IndexOutOfRangeException
            or ArgumentException and not ArgumentOutOfRangeException { ParamName: nameof(codec) })
        {
            problem = $"is not valid {codec} data";
            return null;
        }
    }

    private static byte[]? Snappy(byte[] stored, int decodedSize, ref string? problem)
    {
        if (Snappier.Snappy.GetUncompressedLength(stored) != decodedSize)
        {
            problem = SizeProblem(decodedSize);
            return null;
        }
        var page = new byte[decodedSize];
        Snappier.Snappy.Decompress(stored, page);
        return page;
    }

    private static byte[]? Lz4Raw(byte[] stored, int decodedSize, ref string? problem)
    {
        var page = new byte[decodedSize + 1];
        var written = K4os.Compression.LZ4.LZ4Codec.Decode(stored, page);
        if (written != decodedSize)
        {
            problem = written < 0 ? "is not valid LZ4_RAW data" : SizeProblem(decodedSize);
            return null;
        }
        return page.AsSpan(0, decodedSize).ToArray();
    }

    /// <summary>Reads at most <paramref name="decodedSize"/> + 1 bytes: one more than declared is enough to know it is too long.</summary>
    private static byte[]? Bounded(Stream decoder, int decodedSize, ref string? problem)
    {
        using (decoder)
        {
            var page = new byte[decodedSize + 1];
            var read = 0;
            while (read < page.Length)
            {
                var n = decoder.Read(page, read, page.Length - read);
                if (n == 0)
                {
                    break;
                }
                read += n;
            }
            if (read != decodedSize)
            {
                problem = SizeProblem(decodedSize);
                return null;
            }
            return page.AsSpan(0, decodedSize).ToArray();
        }
    }

    private static string SizeProblem(int decodedSize) => $"decompresses to a size other than its declared {decodedSize} bytes";
}
