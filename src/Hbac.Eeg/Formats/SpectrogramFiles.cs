using Hbac.Eeg.Formats.Npy;
using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Spectrograms;
using Hbac.Eeg.Windows;

namespace Hbac.Eeg.Formats;

/// <summary>
/// Opens a spectrogram file whatever its format, for commands that take "a spectrogram": a Kaggle parquet or
/// its converted [400, T] .npy. Both are checked with <see cref="SpectrogramValues"/>, so every command refuses
/// the same unusable files (an all-NaN spectrogram would otherwise decode to a flat window and a score that
/// looks real).
/// </summary>
public static class SpectrogramFiles
{
    /// <summary>Extensions <see cref="Load"/> accepts (lower case, with the dot).</summary>
    public static readonly IReadOnlyList<string> Extensions = [".parquet", ".npy"];

    public static Spectrogram Load(string path)
    {
        if (!File.Exists(path))
        {
            throw EegDataException.InFile(path, Directory.Exists(path) ? "is a folder, not a spectrogram file" : "file not found");
        }
        var extension = Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".parquet" => SpectrogramValues.RequireUsable(SpectrogramParquetReader.Read(path), path),
            ".npy" => SpectrogramNpy.ReadSpectrogram(path),
            _ => throw EegDataException.InFile(path, $"unsupported spectrogram format '{extension}' (expected {string.Join(", ", Extensions)})"),
        };
    }

    /// <summary>
    /// The model input ([3, 400, 300], <see cref="SpectrogramWindow"/>) of the 600-s window that starts
    /// <paramref name="offsetSeconds"/> into the spectrogram. A window that would start after the last column
    /// is all padding, not a score, and is refused, as the inference service refuses it.
    /// </summary>
    public static float[] ReadWindow(string path, double offsetSeconds)
    {
        WindowOffset.Require(offsetSeconds);
        var spectrogram = Load(path);
        if (SpectrogramWindow.StartColumn(offsetSeconds) >= spectrogram.Columns)
        {
            throw EegDataException.InFile(path,
                $"--offset {offsetSeconds} s is past the spectrogram's end ({spectrogram.Columns * SpectrogramLayout.SecondsPerColumn} s)");
        }
        return SpectrogramWindow.Decode(spectrogram, offsetSeconds);
    }
}
