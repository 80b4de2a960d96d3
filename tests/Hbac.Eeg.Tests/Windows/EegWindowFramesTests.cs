using Hbac.Eeg.Windows;

namespace Hbac.Eeg.Tests.Windows;

public class EegWindowFramesTests
{
    private static float[][] Recording(int seconds, int seed) => NoiseEeg.Recording(seconds, seed, amplitude: 150);

    [Fact]
    public void WindowsOnTheStepGridShareFramesAndGiveTheWholeComputationBitForBit()
    {
        var recording = Recording(120, 9);
        var frames = new EegWindowFrames();
        var input = new float[EegWindow.Size];
        // 2-s steps, a 10-s step, a window back in time, one off the grid, one far ahead, then 2-s steps again.
        long[] starts = [0, 400, 800, 2800, 2400, 3000, 12_000, 12_400, 12_800];
        foreach (var start in starts)
        {
            frames.Compute(recording, (int)start, start, input);
            Assert.True(EegWindow.Compute(recording, (int)start).AsSpan().SequenceEqual(input), $"the window at sample {start} differs");
        }
        // Shared: 400, 800, 2800 (235 of its frames known), 12_400, 12_800. Not: 0, 2400 (back), 3000 (off the grid), 12_000.
        Assert.Equal(5, frames.Shared);
    }

    [Fact]
    public void FramesPreparedAsSamplesArriveGiveTheSameWindow()
    {
        var recording = Recording(60, 12);
        var frames = new EegWindowFrames();
        var input = new float[EegWindow.Size];
        // The first window's frames in three parts as its samples arrive, then the window; then the next
        // window's frames ahead of its last sample, then that window.
        frames.Prepare(recording, 0, 0, 3_000);
        frames.Prepare(recording, 0, 0, 3_100); // 3 frames more: too few to compute alone
        frames.Prepare(recording, 0, 0, 7_777);
        frames.Compute(recording, 0, 0, input);
        Assert.Equal(EegWindow.Compute(recording, 0), input);
        frames.Prepare(recording, 400, 400, 9_900);
        frames.Compute(recording, 400, 400, input);
        Assert.Equal(EegWindow.Compute(recording, 400), input);
        Assert.Equal(2, frames.Shared);
    }

    [Fact]
    public void AStepFiltersOnlyTheSamplesNoEarlierFrameFiltered()
    {
        var recording = Recording(60, 5);
        var frames = new EegWindowFrames();
        var input = new float[EegWindow.Size];

        frames.Compute(recording, 0, 0, input);
        // The first window filters every sample under its 300 frames: from frame 0's first to frame 299's last.
        var whole = EegWindow.Chains * (EegWindow.FrameStart(299) + EegWindow.FftSize - EegWindow.FrameStart(0));
        Assert.Equal(whole, frames.FilteredSamples);
        frames.Compute(recording, 400, 400, input);
        Assert.Equal(EegWindow.Compute(recording, 400), input);
        // Its 14 new frames overlap the last ones by 227 samples, kept: a 2-s step filters its 400 new samples per chain.
        Assert.Equal(whole + EegWindow.Chains * 400, frames.FilteredSamples);
        frames.Compute(recording, 800, 800, input);
        Assert.Equal(EegWindow.Compute(recording, 800), input);
        Assert.Equal(whole + 2 * EegWindow.Chains * 400, frames.FilteredSamples);
    }

    [Fact]
    public void AStreamsWindowsAreTheOfflineWindowsOfItsSamplesWhateverItsFirstSample()
    {
        var recording = Recording(80, 3);
        var windows = new EegWindowStream(firstSample: 2_000).Append(recording.Select(c => c[2_000..]).ToArray());

        Assert.NotEmpty(windows);
        foreach (var window in windows)
        {
            var start = (int)(window.WindowStartSeconds * EegWindow.SampleRateHz);
            Assert.Equal(EegWindow.Compute(recording, start), window.Input);
        }
    }
}
