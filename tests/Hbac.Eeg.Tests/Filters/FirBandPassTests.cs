using Hbac.Eeg.Filters;
using Hbac.Eeg.Windows;

namespace Hbac.Eeg.Tests.Filters;

/// <summary>The EEG window's band-pass (801 taps, 0.5-20 Hz at 200 Hz).</summary>
public class FirBandPassTests
{
    private const double Rate = 200;
    private readonly FirBandPass _filter = EegWindow.Filter;

    [Fact]
    public void ItIsTheWindowsFilter() =>
        Assert.Equal((801, 400, 0.5, 20.0), (_filter.Taps, _filter.Delay, _filter.LowHz, _filter.HighHz));

    [Fact]
    public void AConstantOffsetIsRemoved() =>
        Assert.True(_filter.Gain(0, Rate) < 1e-5, $"gain at 0 Hz {_filter.Gain(0, Rate)}");

    [Theory]
    [InlineData(0.78)] // bin 1 of the window's spectrogram
    [InlineData(1.56)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(19.5)] // bin 25
    public void ThePassBandPassesWithin1Db(double hz) =>
        Assert.InRange(20 * Math.Log10(_filter.Gain(hz, Rate)), -1, 0.1);

    [Theory]
    [InlineData(0.5)]
    [InlineData(20)]
    public void EachCutoffIsAtMinus6Db(double hz) =>
        Assert.InRange(_filter.Gain(hz, Rate), 0.45, 0.55);

    [Theory]
    [InlineData(0.05)]
    [InlineData(22)]
    [InlineData(60)]
    public void OutsideTheBandIsAttenuatedByAtLeast20Db(double hz) =>
        Assert.True(20 * Math.Log10(_filter.Gain(hz, Rate)) < -20, $"{hz} Hz: {20 * Math.Log10(_filter.Gain(hz, Rate)):F1} dB");

    [Fact]
    public void ASineComesOutScaledByTheGainAndDelayedByHalfTheFilter()
    {
        const double hz = 5;
        var signal = Enumerable.Range(0, 3000).Select(n => (float)Math.Sin(2 * Math.PI * hz * n / Rate)).ToArray();
        var first = _filter.Taps - 1;
        var output = new float[3000 - first];

        _filter.Apply(signal, first, 3000, output);

        var gain = _filter.Gain(hz, Rate);
        for (var t = first; t < 3000; t++)
        {
            Assert.Equal(gain * signal[t - _filter.Delay], output[t - first], 3);
        }
    }

    [Fact]
    public void AnOutputDependsOnlyOnTheTapsEndingAtIt()
    {
        var random = new Random(5);
        var signal = Enumerable.Range(0, 2500).Select(_ => (float)random.NextDouble() * 200 - 100).ToArray();
        var changed = (float[])signal.Clone();
        changed[199] = 1e4f; // before the 801 samples (200..1000) of output 1000
        changed[1595] = -1e4f; // among the samples of outputs 1595-1599 only (the first tap, of 1595, is ~0)
        var a = new float[600];
        var b = new float[600];

        _filter.Apply(signal, 1000, 1600, a);
        _filter.Apply(changed, 1000, 1600, b);

        Assert.Equal(a[..596], b[..596]);
        Assert.All(Enumerable.Range(596, 4), i => Assert.NotEqual(a[i], b[i]));
    }

    [Fact]
    public void EveryOutputIsTheSameFloatHoweverTheOutputsAreGrouped()
    {
        var random = new Random(11);
        var signal = Enumerable.Range(0, 4000).Select(_ => (float)(random.NextDouble() * 2000 - 1000)).ToArray();
        var first = _filter.Taps - 1;
        var whole = new float[4000 - first];
        _filter.Apply(signal, first, 4000, whole);

        // One at a time (scalar code), and in odd-sized runs that start the vector groups elsewhere.
        for (var t = first; t < 4000; t += 37)
        {
            var one = new float[1];
            _filter.Apply(signal, t, t + 1, one);
            Assert.Equal(whole[t - first], one[0]);
        }
        for (var from = first + 1; from < 4000; from += 293)
        {
            var to = Math.Min(4000, from + 293);
            var part = new float[to - from];
            _filter.Apply(signal, from, to, part);
            Assert.Equal(whole.AsSpan(from - first, to - from).ToArray(), part);
        }
    }

    [Fact]
    public void OutputsThatNeedSamplesBeforeTheInputAreRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => _filter.Apply(new float[1000], _filter.Taps - 2, 1000, new float[1000]));

    [Theory]
    [InlineData(400)] // even
    [InlineData(1)]
    public void AFilterWithoutAMiddleTapIsRefused(int taps) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new FirBandPass(0.5, 20, Rate, taps));
}
