using Hbac.Eeg.Spectrograms;

namespace Hbac.Eeg.Formats.Npy;

/// <summary>
/// The seed's conversion: a spectrogram as a [400, T] float32 .npy with NaN replaced by 0
/// (what the KerasCV starter feeds its decode step).
/// </summary>
public static class SpectrogramNpy
{
    /// <summary>The [400, T] values with NaN -> 0 (a new array; the spectrogram is unchanged).</summary>
    public static float[] ToNpyValues(Spectrogram spectrogram)
    {
        var source = spectrogram.Values;
        var values = new float[source.Length];
        for (var i = 0; i < source.Length; i++)
        {
            var v = source[i];
            values[i] = float.IsNaN(v) ? 0f : v;
        }
        return values;
    }

    public static void Write(string path, Spectrogram spectrogram) =>
        NpyWriter.Write(path, ToNpyValues(spectrogram), [SpectrogramLayout.Rows, spectrogram.Columns]);

    public static void Write(Stream stream, Spectrogram spectrogram) =>
        NpyWriter.Write(stream, ToNpyValues(spectrogram), [SpectrogramLayout.Rows, spectrogram.Columns]);

    /// <summary>Reads a converted spectrogram back: the row-major [400, T] values and T.</summary>
    public static (float[] Values, int Columns) Read(string path)
    {
        var array = NpyReader.Read(path);
        if (array.Shape.Length != 2 || array.Shape[0] != SpectrogramLayout.Rows)
        {
            throw EegDataException.InFile(path, $"shape {NpyFormat.ShapeText(array.Shape)} is not a spectrogram, expected (400, T)");
        }
        SpectrogramValues.RequireUsable(array.Values, array.Shape[1], path);
        return (array.Values, array.Shape[1]);
    }

    /// <summary>
    /// <see cref="Read"/> as a <see cref="Spectrogram"/>: the .npy holds no times, so its columns get Kaggle's,
    /// centred at 1, 3, 5, ... s (the window decode uses only column indices).
    /// </summary>
    public static Spectrogram ReadSpectrogram(string path)
    {
        var (values, columns) = Read(path);
        var times = new float[columns];
        for (var k = 0; k < columns; k++)
        {
            times[k] = (float)(1 + SpectrogramLayout.SecondsPerColumn * k);
        }
        return new Spectrogram(values, times);
    }
}
