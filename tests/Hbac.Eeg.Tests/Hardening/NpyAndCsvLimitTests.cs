using System.Buffers.Binary;
using System.Text;
using Hbac.Eeg.Formats.Csv;
using Hbac.Eeg.Formats.Npy;

namespace Hbac.Eeg.Tests.Hardening;

/// <summary>
/// Issue 12, classes 1, 2 and 7 for .npy and CSV: a declared header length or shape is checked against the
/// bytes that follow before allocating; CSV records are bounded; empty or unusable spectrograms are refused.
/// </summary>
public class NpyAndCsvLimitTests
{
    private static byte[] NpyV2(string header, int dataBytes, uint? headerLengthField = null)
    {
        var text = Encoding.Latin1.GetBytes(header + "\n");
        var bytes = new byte[12 + text.Length + dataBytes];
        NpyFormat.Magic.CopyTo(bytes);
        bytes[6] = 2;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), headerLengthField ?? (uint)text.Length);
        text.CopyTo(bytes, 12);
        return bytes;
    }

    private static EegDataException RefusedNpy(byte[] bytes, long allocationLimit = 16L << 20)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<EegDataException>(() => NpyReader.Read(new MemoryStream(bytes), "d.npy"));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, allocationLimit + 2L * bytes.Length);
        Assert.StartsWith("d.npy: ", error.Message);
        return error;
    }

    [Fact]
    public void AHeaderLengthOf4GiBIsRefusedWithoutAllocatingIt()
    {
        var error = RefusedNpy(NpyV2("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8, headerLengthField: 0xFFFFFFFF));
        Assert.Contains("header length 4294967295", error.Message);
    }

    [Fact]
    public void AShapeLargerThanTheDataIsRefusedBeforeAllocating()
    {
        // 480 kB of data under a header that claims 400 x 5,000,000 floats (8 GB).
        var error = RefusedNpy(NpyV2("{'descr': '<f4', 'fortran_order': False, 'shape': (400, 5000000), }", 480_000));
        Assert.Contains("truncated .npy data: shape (400, 5000000) needs 8000000000 bytes", error.Message);
    }

    [Theory]
    [InlineData("zero-columns")]
    [InlineData("all-nan")]
    [InlineData("inf")]
    public void UnusableSpectrogramsAreRefused(string kind)
    {
        using var folder = new TempFolder();
        var path = folder.File("s.npy");
        var columns = kind == "zero-columns" ? 0 : 3;
        var values = new float[400 * columns];
        Array.Fill(values, kind == "all-nan" ? float.NaN : 1f);
        if (kind == "inf")
        {
            values[5] = float.PositiveInfinity;
        }
        NpyWriter.Write(path, values, [400, columns]);
        var error = Assert.Throws<EegDataException>(() => SpectrogramNpy.Read(path));
        Assert.StartsWith(path + ": ", error.Message);
    }

    [Fact]
    public void ACsvWithoutLineBreaksIsRefusedAtTheRecordLimit()
    {
        var text = new string('a', CsvTable.MaxRecordChars + 10);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<EegDataException>(() => CsvTable.Parse(new StringReader(text), "x.csv"));
        Assert.Equal($"x.csv: line 1: a record longer than {CsvTable.MaxRecordChars} characters (not a CSV file, or a line break is missing)", error.Message);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 64L << 20);
    }

    [Fact]
    public void DevZeroIsRefusedNotReadForever()
    {
        var error = Assert.Throws<EegDataException>(() => CsvTable.Read("/dev/zero"));
        Assert.StartsWith("/dev/zero: line 1: a record longer than", error.Message);
    }

    [Fact]
    public void ANewlineInAnEchoedFieldIsEscaped()
    {
        var error = Assert.Throws<EegDataException>(() =>
        {
            var table = CsvTable.Parse(new StringReader("eeg_id\n\"1\n2\"\n"), "x.csv");
            table.Int64(table.Rows[0], 0);
        });
        Assert.Equal("x.csv: line 2, column 'eeg_id': '1\\n2' is not an integer", error.Message);
    }
}
