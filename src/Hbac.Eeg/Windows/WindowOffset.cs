using System.Globalization;

namespace Hbac.Eeg.Windows;

/// <summary>Where a scored window starts in a file, in seconds, as <c>--offset</c> gives it (predict, score).</summary>
public static class WindowOffset
{
    /// <summary>Refuses NaN, infinities and negative offsets, naming the option, before any file is read.</summary>
    public static void Require(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds < 0)
        {
            throw new EegDataException(string.Create(CultureInfo.InvariantCulture, $"--offset: {seconds} must be a number of seconds >= 0"));
        }
    }
}
