using Hbac.Eeg.Windows;

namespace Hbac.Eeg.Tests.Windows;

public class InputPoolingTests
{
    private static float[][] Recording(int seconds, int seed) => NoiseEeg.Recording(seconds, seed);

    private static float[][] Slice(float[][] recording, int from, int count) => NoiseEeg.Slice(recording, from, count);

    [Fact]
    public void EachBlockBecomesItsMean()
    {
        // Value = 1000 x row + column: a 2 x 3 block starting at (r, c) averages to 1000 (r + 0.5) + c + 1.
        var full = new float[InputPooling.FullSize];
        for (var i = 0; i < full.Length; i++)
        {
            var (row, column) = (i / InputPooling.Width % InputPooling.Height, i % InputPooling.Width);
            full[i] = 1000 * row + column;
        }
        var pooling = new InputPooling(2, 3);
        var pooled = new float[pooling.Size];

        pooling.Pool(full, 1, pooled);

        Assert.Equal((200, 100, 3 * 200 * 100), (pooling.PooledHeight, pooling.PooledWidth, pooling.Size));
        Assert.Equal(1000 * 0.5f + 1, pooled[0]);
        Assert.Equal(1000 * 4.5f + 6 + 1, pooled[2 * 100 + 2]);
        Assert.Equal(1000 * 398.5f + 297 + 1, pooled[200 * 100 - 1]);
        Assert.Equal(pooled[5], pooled[200 * 100 + 5]); // every channel the same way
    }

    [Fact]
    public void ARemainderThatFillsNoBlockIsDropped()
    {
        // 8 x 8 (the quick spectrogram profile's before stop 40) leaves the last 4 of 300 columns over, as ONNX's AveragePool
        // (no padding, ceil_mode 0) leaves them: 37 columns, each the mean of its own 8 x 8 block only.
        var full = new float[InputPooling.FullSize];
        for (var i = 0; i < full.Length; i++)
        {
            var (row, column) = (i / InputPooling.Width % InputPooling.Height, i % InputPooling.Width);
            full[i] = column >= 296 ? 1e7f : row + 100 * column; // block sums stay exact in float
        }
        var pooling = new InputPooling(8, 8);
        var pooled = new float[pooling.Size];

        pooling.Pool(full, 1, pooled);

        Assert.Equal((50, 37, 3 * 50 * 37), (pooling.PooledHeight, pooling.PooledWidth, pooling.Size));
        Assert.Equal(3.5f + 100 * 3.5f, pooled[0]);
        Assert.Equal(49 * 8 + 3.5f + 100 * (36 * 8 + 3.5f), pooled[50 * 37 - 1]); // the last block: columns 288-295, none beyond
        Assert.All(pooled, value => Assert.True(value < 1e5f, $"{value}: a dropped column leaked into a block"));
    }

    [Fact]
    public void ARemainderOfRowsIsDroppedToo()
    {
        // 6 x 6 (the quick spectrogram profile's) leaves the last 4 of 400 rows over: 66 rows of 50 blocks.
        var full = new float[InputPooling.FullSize];
        for (var i = 0; i < full.Length; i++)
        {
            var (row, column) = (i / InputPooling.Width % InputPooling.Height, i % InputPooling.Width);
            full[i] = row >= 396 ? 1e7f : 100 * row + column;
        }
        var pooling = new InputPooling(6, 6);
        var pooled = new float[pooling.Size];

        pooling.Pool(full, 1, pooled);

        Assert.Equal((66, 50, 3 * 66 * 50), (pooling.PooledHeight, pooling.PooledWidth, pooling.Size));
        Assert.Equal(100 * 2.5f + 2.5f, pooled[0]);
        Assert.Equal(100 * (65 * 6 + 2.5f) + 49 * 6 + 2.5f, pooled[66 * 50 - 1]); // the last block: rows 390-395, none beyond
        Assert.All(pooled, value => Assert.True(value < 1e5f, $"{value}: a dropped row leaked into a block"));
    }

    [Fact]
    public void APoolNeedsAtLeastOneWholeBlock()
    {
        Assert.True(InputPooling.Fits(1, 30));
        Assert.True(InputPooling.Fits(8, 8));
        Assert.True(InputPooling.Fits(400, 300));
        Assert.False(InputPooling.Fits(0, 30));
        Assert.False(InputPooling.Fits(401, 1));
        Assert.False(InputPooling.Fits(1, 301));
        Assert.Equal(InputPooling.FullSize, InputPooling.None.Size);
    }

    [Theory]
    [InlineData(1, 30, 200)]
    [InlineData(1, 30, 333)]
    [InlineData(2, 30, 4_000)]
    [InlineData(4, 5, 1_000)]
    public void AStreamsPooledWindowsAreTheWholeWindowsPooledBitForBit(int rows, int columns, int chunk)
    {
        var recording = Recording(62, rows * 31 + columns);
        var pooling = new InputPooling(rows, columns);
        var stream = new EegWindowStream { Pooling = pooling };
        var windows = new List<EegStreamWindow>();
        for (var from = 0; from < 62 * 200; from += chunk)
        {
            windows.AddRange(stream.Append(Slice(recording, from, Math.Min(chunk, 62 * 200 - from))));
        }

        Assert.Equal([50.0, 52.0, 54.0, 56.0, 58.0, 60.0, 62.0], windows.Select(w => w.WindowEndSeconds));
        foreach (var window in windows)
        {
            Assert.Equal(pooling, window.Pooling);
            var whole = EegWindow.Compute(recording, (int)(window.WindowStartSeconds * 200));
            var expected = new float[pooling.Size];
            pooling.Pool(whole, 1, expected);
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), window.Input.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void AWindowOffTheTwoSecondGridIsPooledTheSameWay()
    {
        // A 3-s step puts every other window off the shared frame grid: those are computed whole, then pooled.
        var recording = Recording(56, 9);
        var pooling = new InputPooling(1, 30);
        var windows = new EegWindowStream(stepSeconds: 3) { Pooling = pooling }.Append(recording);

        Assert.Equal([50.0, 53.0, 56.0], windows.Select(w => w.WindowEndSeconds));
        foreach (var window in windows)
        {
            var expected = new float[pooling.Size];
            pooling.Pool(EegWindow.Compute(recording, (int)(window.WindowStartSeconds * 200)), 1, expected);
            Assert.Equal(expected, window.Input);
        }
    }

    [Fact]
    public void ThePoolingCanChangeBetweenWindowsOfOneStream()
    {
        var recording = Recording(54, 5);
        var stream = new EegWindowStream();
        var first = Assert.Single(stream.Append(Slice(recording, 0, 50 * 200)));
        stream.Pooling = new InputPooling(1, 30);
        var second = stream.Append(Slice(recording, 50 * 200, 4 * 200));

        Assert.Equal((InputPooling.None, EegWindow.Size), (first.Pooling, first.Input.Length));
        Assert.Equal(EegWindow.Compute(recording, 0), first.Input);
        Assert.All(second, w => Assert.Equal(new InputPooling(1, 30).Size, w.Input.Length));
    }
}
