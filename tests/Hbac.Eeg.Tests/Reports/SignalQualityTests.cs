using Hbac.Eeg.Formats;
using Hbac.Eeg.Montage;
using Hbac.Eeg.Reports;

namespace Hbac.Eeg.Tests.Reports;

public class SignalQualityTests
{
    /// <summary>20 s of 20-channel noise (about 20 uV), Kaggle order.</summary>
    private static float[][] Noise(int seconds = 20)
    {
        var random = new Random(3);
        return [.. Enumerable.Range(0, 20).Select(_ => Enumerable.Range(0, seconds * 200).Select(_ => (float)(random.NextDouble() * 70 - 35)).ToArray())];
    }

    private static SegmentQuality Assess(float[][] channels, int start = 0, int end = 10, IReadOnlyCollection<string>? electrodes = null)
    {
        var tracker = new SignalQualityTracker(electrodes: electrodes);
        // In uneven chunks, so seconds are assembled across chunk boundaries.
        for (var at = 0; at < channels[0].Length; at += 333)
        {
            var count = Math.Min(333, channels[0].Length - at);
            tracker.Append([.. channels.Select(c => c.AsSpan(at, count).ToArray())]);
        }
        return tracker.Segment(start, end);
    }

    private static int Column(string name) => KaggleMontage.ColumnIndex(name);

    [Fact]
    public void CleanNoiseIsOk()
    {
        var quality = Assess(Noise());
        Assert.Equal("ok", quality.Flag);
        Assert.True(quality.Scored);
    }

    [Fact]
    public void FlatNaNSaturatedAndDisconnectedElectrodesAreFlagged()
    {
        var channels = Noise();
        Array.Fill(channels[Column("Fp1")], 3.0f);                                    // flat at an offset
        channels[Column("O2")].AsSpan(0, 1200).Fill(float.NaN);                       // 6 of 10 s missing
        var clipped = channels[Column("C3")];
        for (var i = 0; i < clipped.Length; i++)
        {
            clipped[i] = Math.Clamp(clipped[i] * 4, -60f, 60f);                        // pinned at +-60 a third of the time
        }
        var drifting = channels[Column("T4")];
        for (var i = 0; i < drifting.Length; i++)
        {
            drifting[i] += (float)(2000 * Math.Sin(2 * Math.PI * 50 * i / 200.0 + 0.3)); // mains on an open electrode
        }

        var quality = Assess(channels);
        Assert.Equal(
            ["Fp1:flat", "C3:saturated", "T4:disconnected", "O2:nan"],
            quality.BadElectrodes.OrderBy(f => Column(f.Electrode)).Select(f => f.ToString()));
        Assert.False(quality.Scored);   // four bad electrodes break the montage
        Assert.Equal("not_scored", quality.Flag);
    }

    [Fact]
    public void TwoBadElectrodesStillScoreAsDegraded()
    {
        var channels = Noise();
        Array.Clear(channels[Column("Fp1")]);
        Array.Clear(channels[Column("Fp2")]);
        var quality = Assess(channels);
        Assert.Equal("degraded", quality.Flag);
        Assert.Equal("Fp1:flat;Fp2:flat", quality.Details);
    }

    [Fact]
    public void BadFzCzAndPzAreListedButSpoilNoChainSoTheSegmentIsScored()
    {
        var channels = Noise();
        Array.Clear(channels[Column("Fz")]);
        Array.Fill(channels[Column("Cz")], float.NaN);
        Array.Clear(channels[Column("Pz")]);
        Array.Clear(channels[Column("O1")]);
        var quality = Assess(channels);
        Assert.Equal("degraded", quality.Flag);
        Assert.Equal("O1:flat;Fz:flat;Cz:nan;Pz:flat", quality.Details);
    }

    [Fact]
    public void ElectrodesARecordingLacksAreNotJudged()
    {
        var channels = Noise();
        Array.Clear(channels[Column("Fz")]);
        Array.Clear(channels[Column("Cz")]);
        Array.Clear(channels[Column("Pz")]);
        Array.Clear(channels[Column("T3")]);
        var quality = Assess(channels, electrodes: [.. KaggleMontage.ChainElectrodes]);
        Assert.Equal("T3:flat", quality.Details);
    }

    [Fact]
    public void QualityIsPerSegment()
    {
        var channels = Noise();
        channels[Column("Pz")].AsSpan(10 * 200).Fill(float.NaN);  // the second 10 s only
        Assert.Equal("ok", Assess(channels, 0, 10).Flag);
        Assert.Equal("Pz:nan", Assess(channels, 10, 20).Details);
    }

    [Fact]
    public void CombiningSecondsEqualsTheStatisticsOfAllSamples()
    {
        var samples = Noise(2)[0];
        samples[5] = samples[300] = 99f;
        var whole = SecondStatistics.Of(samples);
        var combined = SecondStatistics.Combine(SecondStatistics.Of(samples.AsSpan(0, 200)), SecondStatistics.Of(samples.AsSpan(200)));
        Assert.Equal(whole.StandardDeviation, combined.StandardDeviation, 6);
        Assert.Equal((whole.Max, whole.AtMax, whole.Min, whole.AtMin), (combined.Max, combined.AtMax, combined.Min, combined.AtMin));
        Assert.Equal(2, combined.AtMax);
    }

    [Fact]
    public void InterleavedSamplesGiveWhatTheChannelsGive()
    {
        var channels = Noise();
        channels[Column("O2")].AsSpan(0, 1200).Fill(float.NaN);
        Array.Fill(channels[Column("Fp1")], 3.0f);
        var tracker = new SignalQualityTracker();
        var interleaved = new float[channels[0].Length * 20];
        for (var s = 0; s < channels[0].Length; s++)
        {
            for (var c = 0; c < 20; c++)
            {
                interleaved[s * 20 + c] = channels[c][s];
            }
        }
        // In uneven chunks of whole frames.
        for (var at = 0; at < channels[0].Length; at += 333)
        {
            var count = Math.Min(333, channels[0].Length - at);
            tracker.AppendInterleaved(interleaved.AsSpan(at * 20, count * 20), 20);
        }

        Assert.Equal(20, tracker.Seconds);
        Assert.Equal(Assess(channels).Details, tracker.Segment(0, 10).Details);
        Assert.Equal("Fp1:flat;O2:nan", tracker.Segment(0, 10).Details);
        Assert.Throws<ArgumentException>(() => tracker.AppendInterleaved(new float[30], 20));
    }

    [Fact]
    public void AStreamKeepsOnlyItsLastSecondsAndAnOlderSegmentReadsAsMissing()
    {
        var channels = Noise(30);
        var tracker = new SignalQualityTracker(keepSeconds: 12);
        tracker.Append(channels);

        Assert.Equal(30, tracker.Seconds);
        Assert.Equal("ok", tracker.Segment(18, 28).Flag);
        Assert.Equal(tracker.Segment(18, 28).Details, Assess(channels, 18, 28).Details);
        // Seconds 0-17 are gone: a segment there has no samples left to judge.
        Assert.Equal("not_scored", tracker.Segment(0, 10).Flag);
    }

    /// <summary>A bipolar file's 16 chains as noise (about 20 uV), <see cref="KaggleMontage.Chains"/> order.</summary>
    private static float[][] ChainNoise() => [.. Noise().Take(16)];

    private static float[] Chain(float[][] chains, string name) => chains[KaggleMontage.ChainNames.ToList().IndexOf(name)];

    [Fact]
    public void ABipolarFilesChainsAreJudgedByTheirOwnNames()
    {
        var chains = ChainNoise();
        Array.Clear(Chain(chains, "F7-T3"));                                    // a dead (or bridged) derivation
        Chain(chains, "Fp1-F7").AsSpan(0, 1200).Fill(float.NaN);                // 6 of 10 s missing
        var tracker = SignalQualityTracker.ForChains();
        tracker.Append(new RecordingChunk([.. Noise()], chains));

        var quality = tracker.Segment(0, 10);
        Assert.Equal("Fp1-F7:nan;F7-T3:flat", quality.Details);
        Assert.Equal("degraded", quality.Flag);
        Assert.Equal("F7-T3:flat", tracker.Segment(10, 20).Details);   // the NaNs were in the first 6 s
        Assert.Throws<ArgumentException>(() => tracker.Append(new RecordingChunk([.. Noise()], Chains: null)));
        Assert.Throws<ArgumentException>(() => tracker.Append([.. chains.Take(15)]));
        Assert.Throws<ArgumentException>(() => tracker.Append(Noise()));   // 20 columns are not the 16 chains
        Assert.Throws<InvalidOperationException>(() => tracker.AppendInterleaved(new float[20], 20));
    }

    [Theory]
    [InlineData(4, "degraded")]
    [InlineData(5, "not_scored")]
    public void MoreThanFourBadChainsBreakTheMontage(int dead, string flag)
    {
        var chains = ChainNoise();
        foreach (var chain in chains.Take(dead))
        {
            Array.Clear(chain);
        }
        var tracker = SignalQualityTracker.ForChains();
        tracker.Append(chains);

        var quality = tracker.Segment(0, 10);
        Assert.Equal(dead, quality.BadElectrodes.Count);
        Assert.All(quality.BadElectrodes, f => Assert.Equal(ElectrodeProblem.Flat, f.Problem));
        Assert.Equal(flag, quality.Flag);
    }
}
