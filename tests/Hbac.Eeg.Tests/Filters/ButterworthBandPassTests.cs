using Hbac.Eeg.Filters;

namespace Hbac.Eeg.Tests.Filters;

public class ButterworthBandPassTests
{
    private const double Rate = 200;
    private readonly ButterworthBandPass _filter = new(0.5, 20, Rate);

    [Theory]
    [InlineData(0.5, 0.70710678)] // -3 dB at each cutoff (the sections barely overlap)
    [InlineData(20, 0.70710678)]
    public void EachCutoffIsAtMinus3Db(double hz, double expected) =>
        Assert.Equal(expected, _filter.Gain(hz, Rate), 2);

    [Theory]
    [InlineData(2)]
    [InlineData(6)]
    [InlineData(10)]
    public void ThePassBandPassesWithin1Db(double hz) =>
        Assert.InRange(20 * Math.Log10(_filter.Gain(hz, Rate)), -1, 0.01);

    [Theory]
    [InlineData(0.05)]
    [InlineData(60)]
    public void OutsideTheBandIsAttenuatedByAtLeast15Db(double hz) =>
        Assert.True(20 * Math.Log10(_filter.Gain(hz, Rate)) < -15, $"{hz} Hz: {20 * Math.Log10(_filter.Gain(hz, Rate)):F1} dB");

    [Fact]
    public void AppliedToSinesTheOutputAmplitudeFollowsTheResponse()
    {
        foreach (var hz in new[] { 0.1, 5.0, 45.0 })
        {
            var signal = Enumerable.Range(0, 4000).Select(n => (float)Math.Sin(2 * Math.PI * hz * n / Rate)).ToArray();
            _filter.Apply(signal);
            // After the start-up transient (the last 10 s), the peak equals the gain.
            var peak = signal[2000..].Max(Math.Abs);
            Assert.Equal(_filter.Gain(hz, Rate), peak, 1);
        }
    }

    [Fact]
    public void ADcOffsetDiesAwayAndTheFilterIsCausal()
    {
        var signal = Enumerable.Repeat(100f, 2000).ToArray();
        signal[1500] = 1000; // a later spike cannot change what came before it
        var copy = (float[])signal.Clone();
        copy[1500] = 100;
        _filter.Apply(signal);
        _filter.Apply(copy);
        Assert.Equal(copy[..1500], signal[..1500]);
        Assert.True(Math.Abs(copy[1400]) < 1, $"the offset of 100 uV is still {copy[1400]} after 7 s");
    }

    [Fact]
    public void FourInterleavedSignalsGetExactlyWhatEachGetsAlone()
    {
        var filter = new ButterworthBandPass(0.5, 20, 200);
        var random = new Random(17);
        const int samples = 2_000;
        // Ordinary EEG, a huge signal, one with NaN and infinities, and silence.
        float[][] signals =
        [
            Enumerable.Range(0, samples).Select(_ => (float)(random.NextDouble() * 200 - 100)).ToArray(),
            Enumerable.Range(0, samples).Select(n => n % 7 == 0 ? 3e38f : -1e30f).ToArray(),
            Enumerable.Range(0, samples).Select(n => n == 900 ? float.NaN : n == 1200 ? float.PositiveInfinity : (float)Math.Sin(n / 9.0)).ToArray(),
            new float[samples],
        ];
        var interleaved = new float[ButterworthBandPass.Lanes * samples];
        for (var n = 0; n < samples; n++)
        {
            for (var k = 0; k < ButterworthBandPass.Lanes; k++)
            {
                interleaved[n * ButterworthBandPass.Lanes + k] = signals[k][n];
            }
        }
        filter.ApplyInterleaved(interleaved);
        for (var k = 0; k < ButterworthBandPass.Lanes; k++)
        {
            var alone = (float[])signals[k].Clone();
            filter.Apply(alone);
            var lane = Enumerable.Range(0, samples).Select(n => interleaved[n * ButterworthBandPass.Lanes + k]).ToArray();
            Assert.True(alone.AsSpan().SequenceEqual(lane), $"signal {k} differs");
        }
        Assert.Throws<ArgumentException>(() => filter.ApplyInterleaved(new float[ButterworthBandPass.Lanes * 3]));
    }
}
