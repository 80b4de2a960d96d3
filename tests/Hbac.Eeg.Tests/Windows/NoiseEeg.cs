namespace Hbac.Eeg.Tests.Windows;

/// <summary>Uniform noise on 20 Kaggle-order channels at 200 Hz, and chunks cut from it, for the window tests.</summary>
internal static class NoiseEeg
{
    public static float[][] Recording(int seconds, int seed, float amplitude = 60)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, 20)
            .Select(_ => Enumerable.Range(0, seconds * 200).Select(_ => (float)(random.NextDouble() * 2 * amplitude - amplitude)).ToArray())
            .ToArray();
    }

    public static float[][] Slice(float[][] recording, int from, int count) => recording.Select(c => c[from..(from + count)]).ToArray();
}
