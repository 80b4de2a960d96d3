using Hbac.Contracts;
using Hbac.Inference.Grpc;

namespace Hbac.Inference.Tests;

/// <summary>The range check of an uploaded window finds the exact first bad value, in a whole vector or the tail.</summary>
public class FirstOutOfRangeTests
{
    public static TheoryData<float> BadValues => new() { float.NaN, float.PositiveInfinity, float.NegativeInfinity, ModelInput.MaxAbsValue * 1.001f, -ModelInput.MaxAbsValue * 1.001f };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void EveryPositionOfAWindowIsCheckedAndTheFirstBadOneNamed(float bad)
    {
        // 37 values: whole vectors of any width (4, 8 or 16 floats) and a tail.
        var values = Enumerable.Range(0, 37).Select(i => (i % 2 == 0 ? 1 : -1) * ModelInput.MaxAbsValue * i / 37).ToArray();
        values[^1] = ModelInput.MaxAbsValue;
        Assert.Null(InferenceService.FirstOutOfRange(values));
        for (var at = 0; at < values.Length; at++)
        {
            var copy = (float[])values.Clone();
            copy[at] = bad;
            copy[^1] = bad;
            Assert.Equal(at, InferenceService.FirstOutOfRange(copy));
        }
    }

    [Fact]
    public void AnEmptySpanHasNoBadValue() => Assert.Null(InferenceService.FirstOutOfRange([]));
}
