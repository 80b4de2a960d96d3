using Hbac.Eeg.Montage;

namespace Hbac.Eeg.Tests.Montage;

public class BipolarChainsTests
{
    /// <summary>CHB-MIT's 23 derivations, as its EDF files label them (10-10 names, a repeated T8-P8).</summary>
    internal static readonly string[] ChbMitLabels =
    [
        "FP1-F7", "F7-T7", "T7-P7", "P7-O1", "FP1-F3", "F3-C3", "C3-P3", "P3-O1", "FP2-F4", "F4-C4", "C4-P4", "P4-O2",
        "FP2-F8", "F8-T8", "T8-P8", "P8-O2", "FZ-CZ", "CZ-PZ", "P7-T7", "T7-FT9", "FT9-FT10", "FT10-T8", "T8-P8",
    ];

    [Theory]
    [InlineData("FP1-F7", "Fp1", "F7")]
    [InlineData("EEG F7-T7", "F7", "T3")]
    [InlineData("P7-T7", "T5", "T3")]
    [InlineData("fp2-f8.", "Fp2", "F8")]
    [InlineData("EEG-T6-O2", "T6", "O2")]
    [InlineData("FZ-CZ", "Fz", "Cz")]
    public void DerivationLabelsNameTheirTwoElectrodes(string label, string a, string b) =>
        Assert.Equal((a, b), BipolarChains.Parse(label));

    [Theory]
    [InlineData("T7-FT9")]
    [InlineData("EEG FP1-REF")]
    [InlineData("FP1")]
    [InlineData("EKG1-EKG2")]
    [InlineData("FP1-F7-T7")]
    [InlineData("-")]
    [InlineData("O1-O1")]
    public void OtherLabelsAreNoDerivation(string label) => Assert.Null(BipolarChains.Parse(label));

    [Fact]
    public void ChbMitLabelsHoldAllSixteenChainsTheFirstOfARepeatWinning()
    {
        var found = BipolarChains.Find(ChbMitLabels);
        Assert.All(found, f => Assert.NotNull(f));
        // KaggleMontage.Chains: LL, RL, LP, RP. CHB-MIT lists LL, LP, RP, RL.
        Assert.Equal([0, 1, 2, 3, 12, 13, 14, 15, 4, 5, 6, 7, 8, 9, 10, 11], found.Select(f => f!.Value.Index));
        Assert.All(found, f => Assert.Equal(1, f!.Value.Sign));
    }

    [Fact]
    public void AChainWrittenTheOtherWayRoundIsReadNegatedAndAMissingOneIsNull()
    {
        string?[] labels = ["EEG T7-F7", null, "FP1-F7"];
        var found = BipolarChains.Find(labels);
        Assert.Equal((2, 1), found[0]);    // Fp1-F7
        Assert.Equal((0, -1), found[1]);   // F7-T3, written T7-F7
        Assert.Equal(14, found.Count(f => f is null));
    }

    /// <summary>Referential noise (+-20 uV on a 300-uV offset) on every electrode, and the 16 chains formed from it.</summary>
    private static (float[][] Electrodes, float[][] Chains) Referential(int samples, int seed)
    {
        var random = new Random(seed);
        var electrodes = KaggleMontage.Columns.Select(_ => Enumerable.Range(0, samples).Select(_ => (float)(random.NextDouble() * 40 - 20 + 300)).ToArray()).ToArray();
        var chains = KaggleMontage.Chains.Select(c =>
        {
            var (a, b) = (electrodes[KaggleMontage.ColumnIndex(c.A)], electrodes[KaggleMontage.ColumnIndex(c.B)]);
            return a.Zip(b, (x, y) => x - y).ToArray();
        }).ToArray();
        return (electrodes, chains);
    }

    private static float[][] Rebuilt(float[][] chains, int samples, int at = 0)
    {
        var columns = KaggleMontage.Columns.Select(_ => new float[at + samples]).ToArray();
        BipolarChains.ToElectrodes(chains, samples, columns, at);
        return columns;
    }

    private static float Chain(float[][] columns, int chain, int n) =>
        columns[KaggleMontage.ColumnIndex(KaggleMontage.Chains[chain].A)][n] - columns[KaggleMontage.ColumnIndex(KaggleMontage.Chains[chain].B)][n];

    [Fact]
    public void ChainsFormedFromOneReferentialRecordingComeBackExactlyAndNoElectrodeIsFlat()
    {
        const int samples = 400;
        var (_, chains) = Referential(samples, 3);
        var columns = Rebuilt(chains, samples, at: 7);
        for (var chain = 0; chain < 16; chain++)
        {
            for (var n = 0; n < samples; n++)
            {
                Assert.Equal(chains[chain][n], Chain(columns, chain, n + 7), 1e-3f);
            }
        }
        foreach (var e in KaggleMontage.ChainElectrodes)
        {
            var column = columns[KaggleMontage.ColumnIndex(e)];
            Assert.Equal(0f, column[0]);   // before `at`: untouched
            // Each is its electrode minus its side's mean: as variable as EEG, about 300 uV of offset gone.
            var values = column[7..];
            var mean = values.Average();
            Assert.InRange(mean, -3, 3);
            Assert.InRange(Math.Sqrt(values.Average(v => (v - mean) * (v - mean))), 8, 20);
        }
        // Fz, Cz, Pz and EKG are no chain's: left alone.
        Assert.All(new[] { "Fz", "Cz", "Pz", "EKG" }, c => Assert.All(columns[KaggleMontage.ColumnIndex(c)], v => Assert.Equal(0f, v)));
    }

    [Fact]
    public void ALoopThatDoesNotCloseSplitsItsResidualBetweenTheTwoChainsIntoO1()
    {
        const int samples = 50;
        var (_, chains) = Referential(samples, 4);
        // P3-O1 (LP's last, chain 11) reads 8 uV high: the loop Fp1 -> O1 misses by 8 uV.
        var skewed = chains.Select(c => (float[])c.Clone()).ToArray();
        for (var n = 0; n < samples; n++)
        {
            skewed[11][n] += 8;
        }
        var columns = Rebuilt(skewed, samples);
        for (var n = 0; n < samples; n++)
        {
            // O1 lies halfway between where the two chains put it: each of its chains is 4 uV from what the file says.
            Assert.Equal(skewed[3][n] + 4, Chain(columns, 3, n), 1e-3f);    // T5-O1
            Assert.Equal(skewed[11][n] - 4, Chain(columns, 11, n), 1e-3f);  // P3-O1
            foreach (var exact in new[] { 0, 1, 2, 8, 9, 10, 4, 5, 6, 7, 12, 13, 14, 15 })
            {
                Assert.Equal(chains[exact][n], Chain(columns, exact, n), 1e-3f);
            }
        }
    }

    [Fact]
    public void AMissingChainSampleMakesTheElectrodesPastItMissingAndNoOthers()
    {
        const int samples = 10;
        var (_, chains) = Referential(samples, 5);
        chains[1][4] = float.NaN;   // F7-T3 at sample 4
        var columns = Rebuilt(chains, samples);
        bool Missing(string e, int n) => float.IsNaN(columns[KaggleMontage.ColumnIndex(e)][n]);
        Assert.True(Missing("T3", 4));
        Assert.True(Missing("T5", 4));
        Assert.False(Missing("O1", 4));   // reached along the parasagittal chain too
        Assert.False(Missing("Fp1", 4));
        Assert.False(Missing("F7", 4));
        Assert.False(Missing("F3", 4));
        Assert.False(Missing("T4", 4));
        Assert.False(Missing("T3", 5));
        Assert.Equal(chains[11][4], Chain(columns, 11, 4), 1e-3f);   // P3-O1 still exact
    }
}
