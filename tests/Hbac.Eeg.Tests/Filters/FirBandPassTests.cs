using Hbac.Eeg.Filters;

namespace Hbac.Eeg.Tests.Filters;

public class FirBandPassTests
{
    private const double Rate = 200;
    private readonly FirBandPass _filter = new(0.5, 20, Rate, 401);

    [Fact]
    public void AConstantOffsetIsRemoved() =>
        Assert.True(_filter.Gain(0, Rate) < 1e-5, $"gain at 0 Hz {_filter.Gain(0, Rate)}");

    [Theory]
    [InlineData(1.56)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(18)]
    public void ThePassBandPassesWithin1Db(double hz) =>
        Assert.InRange(20 * Math.Log10(_filter.Gain(hz, Rate)), -1, 0.1);

    [Theory]
    [InlineData(0.5, 0.3, 0.8)] // the soft low edge of a 2-s filter
    [InlineData(20, 0.3, 0.7)]
    public void EachCutoffLiesOnItsEdge(double hz, double low, double high) =>
        Assert.InRange(_filter.Gain(hz, Rate), low, high);

    [Theory]
    [InlineData(0.05)]
    [InlineData(25)]
    [InlineData(60)]
    public void OutsideTheBandIsAttenuatedByAtLeast20Db(double hz) =>
        Assert.True(20 * Math.Log10(_filter.Gain(hz, Rate)) < -20, $"{hz} Hz: {20 * Math.Log10(_filter.Gain(hz, Rate)):F1} dB");

    [Fact]
    public void ASineComesOutScaledByTheGainAndDelayedByHalfTheFilter()
    {
        const double hz = 5;
        var signal = Enumerable.Range(0, 2000).Select(n => (float)Math.Sin(2 * Math.PI * hz * n / Rate)).ToArray();
        var output = new float[2000 - 400];

        _filter.Apply(signal, 400, 2000, output);

        var gain = _filter.Gain(hz, Rate);
        for (var t = 400; t < 2000; t++)
        {
            Assert.Equal(gain * signal[t - _filter.Delay], output[t - 400], 3);
        }
    }

    [Fact]
    public void AnOutputDependsOnlyOnTheTapsEndingAtIt()
    {
        var random = new Random(5);
        var signal = Enumerable.Range(0, 1500).Select(_ => (float)random.NextDouble() * 200 - 100).ToArray();
        var changed = (float[])signal.Clone();
        changed[99] = 1e4f; // before the 401 samples (100..500) of output 500
        changed[1095] = -1e4f; // among the samples of outputs 1095-1099 only (the first tap, of 1095, is ~0)
        var a = new float[600];
        var b = new float[600];

        _filter.Apply(signal, 500, 1100, a);
        _filter.Apply(changed, 500, 1100, b);

        Assert.Equal(a[..595], b[..595]);
        Assert.All(Enumerable.Range(596, 4), i => Assert.NotEqual(a[i], b[i]));
    }

    [Fact]
    public void EveryOutputIsTheSameFloatHoweverTheOutputsAreGrouped()
    {
        var random = new Random(11);
        var signal = Enumerable.Range(0, 3000).Select(_ => (float)(random.NextDouble() * 2000 - 1000)).ToArray();
        var whole = new float[2600];
        _filter.Apply(signal, 400, 3000, whole);

        // One at a time (scalar code), and in odd-sized runs that start the vector groups elsewhere.
        for (var t = 400; t < 3000; t += 37)
        {
            var one = new float[1];
            _filter.Apply(signal, t, t + 1, one);
            Assert.Equal(whole[t - 400], one[0]);
        }
        for (var from = 401; from < 3000; from += 293)
        {
            var to = Math.Min(3000, from + 293);
            var part = new float[to - from];
            _filter.Apply(signal, from, to, part);
            Assert.Equal(whole.AsSpan(from - 400, to - from).ToArray(), part);
        }
    }

    [Fact]
    public void OutputsThatNeedSamplesBeforeTheInputAreRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => _filter.Apply(new float[1000], 399, 1000, new float[601]));
}
