using Hbac.Eeg.Montage;

namespace Hbac.Eeg.Tests.Edf;

/// <summary>
/// EEG-like referential signals for the montage tests that write EDF files: +-25 uV of noise, a 3-7 Hz rhythm and a
/// different offset per electrode, in Kaggle column order.
/// </summary>
internal static class ReferentialNoise
{
    /// <summary>The physical range those files are written with: 0.1 uV per 16-bit step.</summary>
    public const double PhysicalRange = 3276.7;

    public static float[][] Signals(int rate, int seconds, int seed)
    {
        var random = new Random(seed);
        return [.. KaggleMontage.Columns.Select((_, c) => Enumerable.Range(0, rate * seconds)
            .Select(n => (float)(random.NextDouble() * 50 - 25 + 15 * Math.Sin(2 * Math.PI * (3 + c % 5) * n / rate) + 10 * c)).ToArray())];
    }

    /// <summary>One electrode's column of <paramref name="columns"/> (Kaggle order).</summary>
    public static float[] Column(float[][] columns, string electrode) => columns[KaggleMontage.ColumnIndex(electrode)];
}
