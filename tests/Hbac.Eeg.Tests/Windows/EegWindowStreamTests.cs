using Hbac.Eeg.Windows;

namespace Hbac.Eeg.Tests.Windows;

public class EegWindowStreamTests
{
    private static float[][] Recording(int seconds, int seed) => NoiseEeg.Recording(seconds, seed);

    private static float[][] Slice(float[][] recording, int from, int count) => NoiseEeg.Slice(recording, from, count);

    [Fact]
    public void NothingComesOutBeforeTheFirstFull50Seconds()
    {
        var stream = new EegWindowStream();
        var recording = Recording(50, 1);
        Assert.Empty(stream.Append(Slice(recording, 0, 9_999)));
        var first = Assert.Single(stream.Append(Slice(recording, 9_999, 1)));
        Assert.Equal((0.0, 50.0, 20.0, 30.0, 20.0), (first.WindowStartSeconds, first.WindowEndSeconds, first.SegmentStartSeconds, first.SegmentEndSeconds, first.LagSeconds));
    }

    [Fact]
    public void WindowsFollowEveryTwoSecondsAndTheLagCountsWhatArrivedSince()
    {
        var stream = new EegWindowStream();
        var windows = stream.Append(Slice(Recording(53, 2), 0, 53 * 200)).ToList();
        // One chunk of 53 s: windows ending at 50 and 52 s; the newest sample is at 53 s.
        Assert.Equal([50.0, 52.0], windows.Select(w => w.WindowEndSeconds));
        Assert.Equal([(20.0, 30.0), (22.0, 32.0)], windows.Select(w => (w.SegmentStartSeconds, w.SegmentEndSeconds)));
        Assert.Equal([23.0, 21.0], windows.Select(w => w.LagSeconds));
        Assert.Equal(53.0, stream.ReceivedSeconds);
    }

    [Fact]
    public void AResumedStreamKeepsTheWholeStreamsClockGridAndInputs()
    {
        // The whole stream is 70 s; a resumed call holds it from sample 1500 (7.5 s) on.
        var recording = Recording(70, 4);
        var whole = new EegWindowStream().Append(recording);
        var resumed = new EegWindowStream(firstSample: 1500).Append(Slice(recording, 1500, 70 * 200 - 1500));

        // The first window on the grid 50, 52, ... wholly after 7.5 s ends at 58 s; the rest as in the whole stream.
        Assert.Equal([58.0, 60.0, 62.0, 64.0, 66.0, 68.0, 70.0], resumed.Select(w => w.WindowEndSeconds));
        var same = whole.Where(w => w.WindowEndSeconds >= 58).ToList();
        Assert.Equal(same.Select(w => (w.SegmentStartSeconds, w.SegmentEndSeconds, w.LagSeconds)), resumed.Select(w => (w.SegmentStartSeconds, w.SegmentEndSeconds, w.LagSeconds)));
        Assert.All(same.Zip(resumed), pair => Assert.Equal(pair.First.Input, pair.Second.Input));
    }

    [Fact]
    public void ANegativeFirstSampleIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new EegWindowStream(firstSample: -1));

    [Fact]
    public void ChunksOfAnySizeGiveTheInputsOfTheWholeRecordingBitForBit()
    {
        var recording = Recording(64, 3);
        var expected = Enumerable.Range(0, 8)
            .Select(i => EegWindow.Compute(recording, i * EegWindowStream.StepSamples))
            .ToList();
        foreach (var seed in new[] { 1, 2 })
        {
            var random = new Random(seed);
            var stream = new EegWindowStream();
            var windows = new List<EegStreamWindow>();
            for (var at = 0; at < recording[0].Length;)
            {
                var size = Math.Min(random.Next(1, seed == 1 ? 50 : 3000), recording[0].Length - at);
                windows.AddRange(stream.Append(Slice(recording, at, size)));
                at += size;
            }
            Assert.Equal([50.0, 52.0, 54.0, 56.0, 58.0, 60.0, 62.0, 64.0], windows.Select(w => w.WindowEndSeconds));
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.True(expected[i].AsSpan().SequenceEqual(windows[i].Input), $"chunking {seed}: window {i} differs from the whole recording's");
            }
        }
    }

    [Fact]
    public void InterleavedChunksGiveTheSameWindowsAsPerChannelOnes()
    {
        var recording = Recording(58, 4);
        var interleaved = new float[recording[0].Length * 20];
        for (var s = 0; s < recording[0].Length; s++)
        {
            for (var c = 0; c < 20; c++)
            {
                interleaved[s * 20 + c] = recording[c][s];
            }
        }
        var expected = new EegWindowStream().Append(recording);
        var stream = new EegWindowStream();
        var windows = new List<EegStreamWindow>();
        var random = new Random(5);
        for (var at = 0; at < recording[0].Length;)
        {
            var size = Math.Min(random.Next(1, 2500), recording[0].Length - at);
            windows.AddRange(stream.AppendInterleaved(interleaved.AsSpan(at * 20, size * 20)));
            at += size;
        }
        Assert.Equal(expected.Select(w => (w.WindowEndSeconds, w.SegmentStartSeconds, w.SegmentEndSeconds)),
            windows.Select(w => (w.WindowEndSeconds, w.SegmentStartSeconds, w.SegmentEndSeconds)));
        Assert.Equal(5, windows.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i].Input.AsSpan().SequenceEqual(windows[i].Input), $"window {i} differs");
        }
        Assert.Throws<ArgumentException>(() => stream.AppendInterleaved(new float[21]));
    }

    [Fact]
    public void AChunkWithTheWrongShapeIsRefused()
    {
        var stream = new EegWindowStream();
        Assert.Throws<ArgumentException>(() => stream.Append(Enumerable.Range(0, 19).Select(_ => new float[10]).ToArray()));
        Assert.Throws<ArgumentException>(() => stream.Append(Enumerable.Range(0, 20).Select(i => new float[i == 3 ? 9 : 10]).ToArray()));
        Assert.Equal(0, stream.Received);
    }

    [Fact]
    public void ALongerStepGivesEveryFifthWindowOfTheTwoSecondStream()
    {
        var recording = Recording(80, seed: 9);
        var everyTwo = new EegWindowStream().Append(recording);
        var recycled = new float[EegWindow.Size];
        Array.Fill(recycled, 7f);   // a recycled array is overwritten entirely
        var everyTen = new EegWindowStream(stepSeconds: 10, newInput: _ => recycled.ToArray()).Append(Slice(recording, 0, 80 * 200));

        Assert.Equal([20.0, 30.0, 40.0, 50.0], everyTen.Select(w => w.SegmentStartSeconds));
        for (var i = 0; i < everyTen.Count; i++)
        {
            Assert.Equal(everyTwo[5 * i].SegmentStartSeconds, everyTen[i].SegmentStartSeconds);
            Assert.Equal(everyTwo[5 * i].Input, everyTen[i].Input);
        }
    }
}
