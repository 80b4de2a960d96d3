using Hbac.Eeg.Montage;
using Hbac.Eeg.Windows;

namespace Hbac.Eeg.Tests.Windows;

public class EegWindowTests
{
    private static float[][] Silence(int samples) =>
        Enumerable.Range(0, KaggleMontage.Columns.Count).Select(_ => new float[samples]).ToArray();

    private static void AddSine(float[] channel, double hz, double microvolts, int from = 0)
    {
        for (var n = from; n < channel.Length; n++)
        {
            channel[n] += (float)(microvolts * Math.Sin(2 * Math.PI * hz * n / EegWindow.SampleRateHz));
        }
    }

    private static float At(float[] input, int chain, int bin, int column) =>
        input[(chain * EegWindow.Bins + bin) * EegWindow.Columns + column];

    [Fact]
    public void TheGeometryIsTheSpectrogramModelsInput()
    {
        Assert.Equal(SpectrogramWindow.Size, EegWindow.Size);
        Assert.Equal(SpectrogramWindow.Rows, EegWindow.Rows);
        Assert.Equal(SpectrogramWindow.Columns, EegWindow.Columns);
        // 14 frames per 2 s from sample 1001 to 9799 of 10,000: after the filter's 800-sample start, and centred
        // (less the filter's 400-sample delay) on the window's centre.
        Assert.Equal(1001, EegWindow.FrameStart(0));
        Assert.Equal(9799, EegWindow.FrameStart(EegWindow.Columns - 1) + EegWindow.FftSize);
        Assert.True(EegWindow.FrameStart(0) >= EegWindow.FilterTaps - 1);
        Assert.Equal(EegWindow.Samples / 2, (EegWindow.FrameStart(0) + EegWindow.FrameStart(EegWindow.Columns - 1) + EegWindow.FftSize) / 2 - EegWindow.Filter.Delay);
        Assert.All(Enumerable.Range(0, EegWindow.Columns - EegWindow.FramesPerStep),
            k => Assert.Equal(EegWindow.FrameStart(k) + EegWindow.StepSamples, EegWindow.FrameStart(k + EegWindow.FramesPerStep)));
        Assert.Equal(["LL: Fp1-F7", "LL: F7-T3"], EegWindow.ChainNames.Take(2));
        Assert.Equal("RP: P4-O2", EegWindow.ChainNames[^1]);
    }

    [Fact]
    public void ASineOnFp1ShowsAtItsFrequencyInTheTwoChainsThatUseFp1Only()
    {
        var eeg = Silence(EegWindow.Samples);
        AddSine(eeg[KaggleMontage.ColumnIndex("Fp1")], 6.25, 50); // exactly bin 8 (6.25 Hz)
        var input = EegWindow.Compute(eeg, 0);

        var fp1Chains = new[] { 0, 8 }; // LL Fp1-F7, LP Fp1-F3
        foreach (var chain in Enumerable.Range(0, EegWindow.Chains))
        {
            var column = 150;
            var peakBin = Enumerable.Range(0, EegWindow.Bins).MaxBy(b => At(input, chain, b, column));
            if (fp1Chains.Contains(chain))
            {
                Assert.Equal(8 - EegWindow.FirstBin, peakBin);
                Assert.True(At(input, chain, peakBin, column) > 2, $"chain {chain}: peak {At(input, chain, peakBin, column)}");
            }
            else
            {
                // Silent chains sit at the floor: the lowest value of the image.
                Assert.Equal(input[..EegWindow.PlaneSize].Min(), At(input, chain, peakBin, column), 4);
            }
        }
    }

    [Fact]
    public void ChannelZeroIsStandardisedChannelOneIsTheLeftRightDifferenceAndChannelTwoRepeatsChannelZero()
    {
        var eeg = Silence(EegWindow.Samples + 400);
        var random = new Random(7);
        foreach (var channel in eeg)
        {
            for (var n = 0; n < channel.Length; n++)
            {
                channel[n] = (float)(random.NextDouble() * 40 - 20);
            }
        }
        var input = EegWindow.Compute(eeg, 400);
        var plane = input[..EegWindow.PlaneSize];
        Assert.Equal(0, plane.Average(v => (double)v), 3);
        Assert.Equal(1, Math.Sqrt(plane.Average(v => (double)v * v)), 3);
        var difference = input[EegWindow.PlaneSize..(2 * EegWindow.PlaneSize)];
        for (var row = 0; row < EegWindow.Rows; row++)
        {
            var other = EegWindow.HemisphereMirror[row];
            for (var column = 0; column < EegWindow.Columns; column += 37)
            {
                Assert.Equal(plane[row * EegWindow.Columns + column] - plane[other * EegWindow.Columns + column], difference[row * EegWindow.Columns + column]);
            }
        }
        Assert.Equal(plane, input[(2 * EegWindow.PlaneSize)..]);
    }

    [Fact]
    public void ALeftSidedRhythmIsPositiveOnTheLeftChainsOfTheDifferenceAndNegativeOnTheRight()
    {
        var eeg = Silence(EegWindow.Samples);
        AddSine(eeg[KaggleMontage.ColumnIndex("T3")], 6.25, 60); // in LL F7-T3 and T3-T5 only: bin 8
        var input = EegWindow.Compute(eeg, 0);
        const int bin = 8 - EegWindow.FirstBin;
        var difference = input.AsSpan(EegWindow.PlaneSize, EegWindow.PlaneSize).ToArray();
        foreach (var (left, right) in new[] { (1, 5), (2, 6) }) // LL F7-T3 / RL F8-T4, LL T3-T5 / RL T4-T6
        {
            Assert.True(At(difference, left, bin, 150) > 2, $"chain {left}: {At(difference, left, bin, 150)}");
            Assert.Equal(-At(difference, left, bin, 150), At(difference, right, bin, 150));
        }
        // A chain and its homologue both silent: no difference.
        Assert.Equal(0f, At(difference, 12, bin, 150));
    }

    [Fact]
    public void FillingTheHemisphereChannelsFromChannelZeroGivesTheComputedInput()
    {
        var eeg = Silence(EegWindow.Samples);
        AddSine(eeg[KaggleMontage.ColumnIndex("C4")], 2.5, 80);
        var computed = EegWindow.Compute(eeg, 0);
        var filled = new float[EegWindow.Size];
        computed.AsSpan(0, EegWindow.PlaneSize).CopyTo(filled);
        EegWindow.FillHemisphereChannels(filled);
        Assert.Equal(computed, filled);
        Assert.Throws<ArgumentException>(() => EegWindow.FillHemisphereChannels(new float[EegWindow.PlaneSize]));
    }

    [Fact]
    public void TheVectorizedFramesGiveTheReferenceKernelsInput()
    {
        var eeg = Silence(EegWindow.Samples);
        var random = new Random(5);
        foreach (var channel in eeg)
        {
            for (var n = 0; n < channel.Length; n++)
            {
                channel[n] = (float)(random.NextDouble() * 200 - 100);
            }
        }
        var reference = EegWindow.Compute(eeg, 0);
        var scalar = new float[EegWindow.Size];
        EegWindow.Compute(eeg, 0, scalar, Hbac.Eeg.Spectrograms.SpectrogramKernel.Scalar);
        // Each lane does the scalar transform's arithmetic: the same input, bit for bit.
        Assert.True(scalar.AsSpan().SequenceEqual(reference), $"max difference {scalar.Zip(reference, (a, b) => Math.Abs(a - b)).Max()}");
    }

    [Fact]
    public void TheVectorizedPathGivesTheReferenceInputForExtremeAndMissingSignals()
    {
        var eeg = Silence(EegWindow.Samples).Select(c => (float[]?)c).ToArray();
        var random = new Random(8);
        for (var c = 0; c < eeg.Length; c++)
        {
            var channel = eeg[c]!;
            for (var n = 0; n < channel.Length; n++)
            {
                // Clipped, NaN, infinite and ordinary samples on different electrodes.
                channel[n] = (c % 4) switch
                {
                    0 => (float)(random.NextDouble() * 4e4 - 2e4),
                    1 => n % 50 == 0 ? float.NaN : (float)(random.NextDouble() * 100),
                    2 => n % 333 == 0 ? float.NegativeInfinity : -0f,
                    _ => (float)Math.Sin(n / 3.0) * 1e6f,
                };
            }
        }
        eeg[KaggleMontage.ColumnIndex("O2")] = null;
        var vectorized = EegWindow.Compute(eeg, 0);
        var scalar = new float[EegWindow.Size];
        EegWindow.Compute(eeg, 0, scalar, Hbac.Eeg.Spectrograms.SpectrogramKernel.Scalar);
        Assert.True(scalar.AsSpan().SequenceEqual(vectorized), $"max difference {scalar.Zip(vectorized, (a, b) => Math.Abs(a - b)).Max()}");
        Assert.All(vectorized, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void TheWindowDependsOnlyOnItsOwnSamples()
    {
        var eeg = Silence(3 * EegWindow.Samples);
        var random = new Random(3);
        foreach (var channel in eeg)
        {
            for (var n = 0; n < channel.Length; n++)
            {
                channel[n] = (float)(random.NextDouble() * 100 - 50);
            }
        }
        var inPlace = EegWindow.Compute(eeg, 12_345);
        var cut = EegWindow.Compute(eeg.Select(c => c[12_345..(12_345 + EegWindow.Samples)]).ToArray(), 0);
        Assert.Equal(cut, inPlace);
    }

    [Fact]
    public void NaNAndMissingElectrodesReadAsZerosAndHugeValuesAreClipped()
    {
        var eeg = Silence(EegWindow.Samples);
        AddSine(eeg[KaggleMontage.ColumnIndex("C3")], 3, 40);
        var clean = EegWindow.Compute(eeg, 0);

        var withGaps = eeg.Select(c => (float[])c.Clone()).ToArray<float[]?>();
        withGaps[KaggleMontage.ColumnIndex("O2")] = null;                       // not in the recording
        withGaps[KaggleMontage.ColumnIndex("EKG")]![100] = float.NaN;           // not in the montage at all
        Assert.Equal(clean, EegWindow.Compute(withGaps, 0));

        var withNaN = eeg.Select(c => (float[])c.Clone()).ToArray();
        withNaN[KaggleMontage.ColumnIndex("T4")].AsSpan(2000, 500).Fill(float.NaN);
        Assert.All(EegWindow.Compute(withNaN, 0), v => Assert.True(float.IsFinite(v)));

        var saturated = eeg.Select(c => (float[])c.Clone()).ToArray();
        saturated[KaggleMontage.ColumnIndex("Fz")].AsSpan().Fill(1e30f); // Fz is in no chain: no effect at all
        Assert.Equal(clean, EegWindow.Compute(saturated, 0));
        saturated[KaggleMontage.ColumnIndex("F7")][5000] = 1e30f;
        Assert.All(EegWindow.Compute(saturated, 0), v => Assert.True(float.IsFinite(v)));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)] // one sample short
    public void AWindowThatDoesNotFitIsRefused(int start)
    {
        var eeg = Silence(EegWindow.Samples);
        Assert.Throws<ArgumentOutOfRangeException>(() => EegWindow.Compute(eeg, start));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(12, 2400)]
    [InlineData(4.5, 900)]
    public void ALabelOffsetIsItsFirstSample(double seconds, int sample) => Assert.Equal(sample, EegWindow.StartSample(seconds));

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-2)]
    public void ABadOffsetIsRefused(double seconds) => Assert.Throws<ArgumentOutOfRangeException>(() => EegWindow.StartSample(seconds));
}
