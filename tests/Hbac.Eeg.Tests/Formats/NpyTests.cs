using System.Text;
using Hbac.Eeg.Formats.Npy;
using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Spectrograms;

namespace Hbac.Eeg.Tests.Formats;

public class NpyTests
{
    private static byte[] Expected(string dict, int headerLength)
    {
        var header = dict + new string(' ', headerLength - dict.Length - 1) + "\n";
        return [0x93, .. "NUMPY"u8, 1, 0, (byte)(headerLength & 0xFF), (byte)(headerLength >> 8), .. Encoding.ASCII.GetBytes(header)];
    }

    [Fact]
    public void PreambleOfA400By300ArrayIsWhatNpSaveWrites()
    {
        // np.save(f, np.zeros((400, 300), np.float32)) starts with these 128 bytes.
        var expected = Expected("{'descr': '<f4', 'fortran_order': False, 'shape': (400, 300), }", 118);
        var preamble = NpyFormat.Preamble([400, 300]);
        Assert.Equal(128, preamble.Length);
        Assert.Equal(expected, preamble);
        Assert.Equal((byte)'v', preamble[8]);
        Assert.Equal((byte)'\n', preamble[^1]);
    }

    [Theory]
    [InlineData(new[] { 5 }, "(5,)", 118)]
    [InlineData(new int[0], "()", 118)]
    [InlineData(new[] { 3, 400, 300 }, "(3, 400, 300)", 118)]
    [InlineData(new[] { 400, 12345 }, "(400, 12345)", 118)]
    public void PreambleWritesPythonTupleReprAndPadsTo64(int[] shape, string tuple, int headerLength)
    {
        var preamble = NpyFormat.Preamble(shape);
        Assert.Equal(Expected("{'descr': '<f4', 'fortran_order': False, 'shape': " + tuple + ", }", headerLength), preamble);
        Assert.Equal(0, preamble.Length % 64);
    }

    [Fact]
    public void DataFollowsTheHeaderAsLittleEndianFloat32InCOrder()
    {
        var stream = new MemoryStream();
        NpyWriter.Write(stream, [1f, -2f, 0.5f, 3f, 0f, 1e-3f], [2, 3]);
        var bytes = stream.ToArray();
        Assert.Equal(128 + 24, bytes.Length);
        Assert.Equal(new byte[] { 0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0, 0, 0, 0, 0x3F }, bytes[128..140]);

        var back = NpyReader.Read(new MemoryStream(bytes), "a.npy");
        Assert.Equal([2, 3], back.Shape);
        Assert.Equal([1f, -2f, 0.5f, 3f, 0f, 1e-3f], back.Values);
    }

    [Fact]
    public void WritingRejectsAShapeTheDataDoesNotFill() =>
        Assert.Throws<ArgumentException>(() => NpyWriter.Write(new MemoryStream(), [1f, 2f, 3f], [2, 2]));

    [Fact]
    public void ReaderAcceptsFloat64AndVersion2Headers()
    {
        const string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
        var header = dict + new string(' ', 128 - 12 - dict.Length - 1) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.AddRange(new byte[] { 2, 0 });
        bytes.AddRange(BitConverter.GetBytes((uint)header.Length));
        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        bytes.AddRange(BitConverter.GetBytes(1.5));
        bytes.AddRange(BitConverter.GetBytes(-0.25));
        var array = NpyReader.Read(new MemoryStream([.. bytes]), "d.npy");
        Assert.Equal([2], array.Shape);
        Assert.Equal([1.5f, -0.25f], array.Values);
    }

    [Theory]
    [InlineData("magic", "d.npy: not a .npy file (missing the \\x93NUMPY magic)")]
    [InlineData("dtype", "d.npy: dtype '<i4' is not supported, expected a float32 or float64 array ('<f4', '<f8', '>f4' or '>f8')")]
    [InlineData("short", "d.npy: truncated .npy data: shape (2, 3) needs 24 bytes of '<f4', the file has 20 after the header")]
    public void ReaderErrorsNameTheFileAndProblem(string damage, string message)
    {
        var stream = new MemoryStream();
        NpyWriter.Write(stream, new float[6], [2, 3]);
        var bytes = stream.ToArray();
        var text = Encoding.ASCII.GetString(bytes);
        bytes = damage switch
        {
            "magic" => Encoding.ASCII.GetBytes("PK" + text[2..]),
            "dtype" => Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(bytes).Replace("<f4", "<i4")),
            _ => bytes[..^4],
        };
        var e = Assert.Throws<EegDataException>(() => NpyReader.Read(new MemoryStream(bytes), "d.npy"));
        Assert.Equal(message, e.Message);
    }

    // Files written by NumPy 1.24.2's np.save, base64: what a NumPy user hands the readers.
    // np.asfortranarray(np.arange(24, dtype=np.float32).reshape(2, 3, 4))
    private const string FortranFloat32 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMywgNCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAABAQQAAgEAAAIBBAAAAQQAAoEEAAIA/AABQQQAAoEAAAIhBAAAQQQAAqEEAAABAAABgQQAAwEAAAJBBAAAgQQAAsEEAAEBAAABwQQAA4EAAAJhBAAAwQQAAuEE=";
    // (np.arange(6).reshape(2, 3) * 0.5).astype('>f8')
    private const string BigEndianFloat64 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPmY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAD/gAAAAAAAAP/AAAAAAAAA/+AAAAAAAAEAAAAAAAAAAQAQAAAAAAAA=";
    // (np.arange(6).reshape(2, 3) - 2).astype('>f4').T: a transposed array is saved in Fortran order
    private const string TransposedBigEndianFloat32 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPmY0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMywgMiksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIArAAAAAv4AAAAAAAAA/gAAAQAAAAEBAAAA=";

    [Fact]
    public void AFortranOrderArrayIsReturnedInCOrder()
    {
        var array = NpyReader.Read(new MemoryStream(Convert.FromBase64String(FortranFloat32)), "f.npy");

        Assert.Equal([2, 3, 4], array.Shape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (float)i), array.Values);
        Assert.True(array.StoredFortranOrder);
        Assert.Equal("<f4", array.StoredDtype);
    }

    [Fact]
    public void BigEndianFloat64IsRead()
    {
        var array = NpyReader.Read(new MemoryStream(Convert.FromBase64String(BigEndianFloat64)), "b.npy");

        Assert.Equal([2, 3], array.Shape);
        Assert.Equal([0f, 0.5f, 1f, 1.5f, 2f, 2.5f], array.Values);
        Assert.Equal(">f8", array.StoredDtype);
    }

    [Fact]
    public void ATransposedBigEndianFloat32ArrayIsReadAsItsTranspose()
    {
        var array = NpyReader.Read(new MemoryStream(Convert.FromBase64String(TransposedBigEndianFloat32)), "t.npy");

        // NumPy's tolist(): [[-2, 1], [-1, 2], [0, 3]].
        Assert.Equal([3, 2], array.Shape);
        Assert.Equal([-2f, 1f, -1f, 2f, 0f, 3f], array.Values);
    }

    [Fact]
    public void FortranReorderingOfAVectorOrAnEmptyArrayChangesNothing()
    {
        Assert.Equal([1f, 2f, 3f], NpyReader.ToCOrder([1f, 2f, 3f], [3]));
        Assert.Empty(NpyReader.ToCOrder([], [0, 5]));
    }

    [SharedDataFact]
    public void ConvertedTrainSpectrogramHasZerosForNaNAndTheSameValuesElsewhere()
    {
        var spectrogram = SpectrogramParquetReader.Read(SharedData.File("hms/train_spectrograms/1000086677.parquet"));
        var path = Path.GetTempFileName();
        try
        {
            SpectrogramNpy.Write(path, spectrogram);
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(NpyFormat.Preamble([400, 300]), bytes[..128]);
            Assert.Equal(128 + 400 * 300 * 4, bytes.Length);

            var (values, columns) = SpectrogramNpy.Read(path);
            Assert.Equal(300, columns);
            Assert.Equal(28.68f, values[0]);
            Assert.Equal(0f, values[5]); // column 5 is one of the 26 all-NaN rows
            Assert.DoesNotContain(values, float.IsNaN);
            for (var i = 0; i < values.Length; i++)
            {
                Assert.Equal(float.IsNaN(spectrogram.Values[i]) ? 0f : spectrogram.Values[i], values[i]);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ANpyOfTheWrongShapeIsNotASpectrogram()
    {
        var path = Path.GetTempFileName();
        try
        {
            NpyWriter.Write(path, new float[6], [2, 3]);
            var e = Assert.Throws<EegDataException>(() => SpectrogramNpy.Read(path));
            Assert.Equal($"{path}: shape (2, 3) is not a spectrogram, expected (400, T)", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Equal(400, SpectrogramLayout.Rows);
    }
}
