using Hbac.Onnx.Quantization;

namespace Hbac.Onnx.Tests.Quantization;

public sealed class DriftGateTests
{
    [Fact]
    public void PassesACloseModelAndNamesEveryBrokenLimitWithItsNumbers()
    {
        var gate = new DriftGate();
        Assert.Empty(gate.Refusals(new DriftMeasurement(0.002, 0.80, 0.81)));

        var refusals = gate.Refusals(new DriftMeasurement(0.02, 0.80, 0.84));

        Assert.Equal(2, refusals.Count);
        Assert.Equal("mean KL(fp32 || int8) 0.02000 > 0.01 (--max-drift)", refusals[0]);
        Assert.Equal("int8 fold KL 0.8400 is 5.00 % worse than fp32's 0.8000 > 2.00 % (--max-kl-increase)", refusals[1]);
    }

    [Fact]
    public void ABetterInt8FoldKlIsNoRefusalAndNaNDriftIsOne()
    {
        var gate = new DriftGate(MaxDrift: 0.01, MaxKlIncrease: 0.02);
        Assert.Empty(gate.Refusals(new DriftMeasurement(0.001, 0.80, 0.70)));
        Assert.Single(gate.Refusals(new DriftMeasurement(double.NaN, 0.80, 0.80)));
    }

    [Fact]
    public void MeanKlIsPerWindow()
    {
        double[] p = [0.5, 0.5, 1, 0];
        double[] q = [0.25, 0.75, 1, 0];
        var expected = (0.5 * Math.Log(2) + 0.5 * Math.Log(0.5 / 0.75)) / 2;
        Assert.Equal(expected, DriftGate.MeanKl(p, q, 2), 12);
        Assert.Equal(0, DriftGate.MeanKl(p, p, 2));
    }
}
