using Google.Protobuf;
using Hbac.Contracts.V1;

namespace Hbac.Contracts.Tests;

public class TensorTests
{
    [Fact]
    public void FloatsArePackedLittleEndianRowMajor()
    {
        var tensor = Tensor.FromFloats([1, 2], [1.0f, -2.5f]);

        Assert.Equal([1L, 2L], tensor.Shape);
        Assert.Equal(new byte[] { 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0 }, tensor.Data.ToByteArray());
    }

    [Fact]
    public void RoundTripsThroughTheWire()
    {
        var values = Enumerable.Range(0, 24).Select(i => i * 0.5f - 3f).ToArray();
        var sent = Tensor.FromFloats([2, 3, 4], values);

        var received = Tensor.Parser.ParseFrom(sent.ToByteArray());

        Assert.Equal(values, received.ToFloats());
        Assert.Equal([2, 3, 4], received.ShapeAsInts());
    }

    [Fact]
    public void FloatSpanReadsTheValuesWhereTheMessageHoldsThem()
    {
        var values = Enumerable.Range(0, 6).Select(i => i * 1.5f - 4f).ToArray();
        var received = Tensor.Parser.ParseFrom(Tensor.FromFloats([2, 3], values).ToByteArray());

        Assert.Equal(values, received.FloatSpan().ToArray());
        var odd = new Tensor { Shape = { 1, 1 }, Data = UnsafeByteOperations.UnsafeWrap(new ReadOnlyMemory<byte>([0x7f, 0x00, 0x00, 0xc0, 0x3f], 1, 4)) };
        Assert.Equal([1.5f], odd.FloatSpan().ToArray()); // unaligned data reads the same
        var truncated = new Tensor { Shape = { 2, 3 }, Data = ByteString.CopyFrom(new byte[8]) };
        Assert.Equal("data: 8 bytes, shape [2, 3] needs 24", Assert.Throws<InvalidTensorException>(() => truncated.FloatSpan()).Message);
        Assert.Equal("shape: must have at least one dimension", Assert.Throws<InvalidTensorException>(() => new Tensor().FloatSpan()).Message);
    }

    [Fact]
    public void DataLengthMismatchNamesTheField()
    {
        var tensor = new Tensor { Shape = { 3, 400, 300 }, Data = ByteString.CopyFrom(new byte[12]) };

        var exception = Assert.Throws<InvalidTensorException>(() => tensor.ToFloats());

        Assert.Equal("data: 12 bytes, shape [3, 400, 300] needs 1440000", exception.Message);
    }

    [Fact]
    public void NonPositiveDimensionNamesItsIndex()
    {
        var tensor = new Tensor { Shape = { 3, -1 }, Data = ByteString.Empty };

        var exception = Assert.Throws<InvalidTensorException>(() => tensor.ToFloats());

        Assert.Equal("shape[1]: dimension -1 must be > 0", exception.Message);
    }

    [Fact]
    public void EmptyShapeIsRejected()
    {
        Assert.Equal("shape: must have at least one dimension",
            Assert.Throws<InvalidTensorException>(() => new Tensor().ToFloats()).Message);
    }

    [Fact]
    public void FromFloatsChecksTheCount()
    {
        var exception = Assert.Throws<ArgumentException>(() => Tensor.FromFloats([2, 2], [1f, 2f, 3f]));

        Assert.StartsWith("shape [2, 2] needs 4 values, got 3", exception.Message);
    }
}
