using Hbac.Eeg.Randomness;
using Hbac.Eeg.Windows;
using Hbac.Learning.Training;

namespace Hbac.Learning.Tests.Training;

public class HemisphereFlipTests
{
    [Fact]
    public void TheMirrorSwapsLeftAndRightChainsAtTheSameFrequencyAndIsItsOwnInverse()
    {
        var mirror = EegWindow.HemisphereMirror;
        Assert.Equal(EegWindow.Rows, mirror.Length);
        // LL chain 0 bin 3 <-> RL chain 4 bin 3; LP chain 9 bin 0 <-> RP chain 13 bin 0.
        Assert.Equal(4 * EegWindow.Bins + 3, mirror[3]);
        Assert.Equal(3, mirror[4 * EegWindow.Bins + 3]);
        Assert.Equal(13 * EegWindow.Bins, mirror[9 * EegWindow.Bins]);
        Assert.All(Enumerable.Range(0, EegWindow.Rows), r => Assert.Equal(r, mirror[mirror[r]]));
        Assert.Equal(Enumerable.Range(0, EegWindow.Rows), mirror.Order());
        // The chains it pairs are mirror images by name: Fp1-F7 <-> Fp2-F8.
        Assert.Equal("RL: Fp2-F8", EegWindow.ChainNames[mirror[0] / EegWindow.Bins]);
    }

    [Fact]
    public void FlippedSamplesTakeTheMirroredRowsInEveryChannelAndTheOthersAreUntouched()
    {
        const int batch = 40, channels = 2, height = 4, width = 3;
        var inputs = Enumerable.Range(0, batch * channels * height * width).Select(i => (float)i).ToArray();
        var original = (float[])inputs.Clone();
        var flip = new HemisphereFlip([2, 3, 0, 1], 0.5, new DeterministicRandom(5));

        var flipped = flip.Apply(inputs, batch, channels, height, width);

        Assert.InRange(flipped, 10, 30); // about half of 40
        var changed = 0;
        for (var b = 0; b < batch; b++)
        {
            var sample = inputs.AsSpan(b * channels * height * width, channels * height * width);
            var before = original.AsSpan(b * channels * height * width, channels * height * width);
            if (sample.SequenceEqual(before))
            {
                continue;
            }
            changed++;
            for (var c = 0; c < channels; c++)
            {
                for (var r = 0; r < height; r++)
                {
                    var source = new[] { 2, 3, 0, 1 }[r];
                    Assert.True(sample.Slice((c * height + r) * width, width).SequenceEqual(before.Slice((c * height + source) * width, width)));
                }
            }
        }
        Assert.Equal(flipped, changed);
    }
}
