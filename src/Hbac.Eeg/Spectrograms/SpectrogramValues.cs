namespace Hbac.Eeg.Spectrograms;

/// <summary>
/// What a spectrogram read from a file must hold to be scored or converted: at least one column,
/// no infinite value, and at least one number that is not NaN. Anything else would be silently
/// clipped, zeroed or padded into a prediction that looks real.
/// </summary>
public static class SpectrogramValues
{
    /// <summary>Throws an <see cref="EegDataException"/> naming the file when the [400, columns] values are unusable.</summary>
    public static void RequireUsable(ReadOnlySpan<float> values, int columns, string sourceName)
    {
        if (columns <= 0 || values.Length == 0)
        {
            throw EegDataException.InFile(sourceName, $"the spectrogram has {columns} columns (time steps); at least one is required");
        }
        var numbers = 0L;
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            if (float.IsInfinity(v))
            {
                throw EegDataException.InFile(sourceName,
                    $"value {(v > 0 ? "+Inf" : "-Inf")} at row {i / columns}, column {i % columns}: a spectrogram holds finite powers (or NaN for missing)");
            }
            if (!float.IsNaN(v))
            {
                numbers++;
            }
        }
        if (numbers == 0)
        {
            throw EegDataException.InFile(sourceName, $"every one of the {values.Length} values is NaN: nothing to score");
        }
    }

    /// <summary><see cref="RequireUsable(ReadOnlySpan{float}, int, string)"/> for a read spectrogram.</summary>
    public static Spectrogram RequireUsable(Spectrogram spectrogram, string sourceName)
    {
        RequireUsable(spectrogram.Values, spectrogram.Columns, sourceName);
        return spectrogram;
    }
}
