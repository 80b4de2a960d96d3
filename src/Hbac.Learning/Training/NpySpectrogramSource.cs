using Hbac.Eeg;
using Hbac.Eeg.Formats.Npy;
using Hbac.Eeg.Spectrograms;

namespace Hbac.Learning.Training;

/// <summary>
/// Windows from a folder of converted spectrograms, <c>&lt;spectrogram_id&gt;.npy</c> ([400, T] float32, as
/// <c>hbac convert</c> and the seed write them; NaN already 0).
/// </summary>
public sealed class NpySpectrogramSource(string folder, long maxCachedValues = 1L << 29) : CachedSpectrogramSource(maxCachedValues)
{
    public string Folder { get; } = folder;

    protected override Task<Spectrogram> LoadAsync(long spectrogramId, CancellationToken ct)
    {
        var path = Path.Combine(Folder, $"{spectrogramId}.npy");
        if (!File.Exists(path))
        {
            throw EegDataException.InFile(path, $"spectrogram {spectrogramId} not found");
        }
        return Task.Run(() => Read(path), ct);
    }

    internal static Spectrogram Read(string path)
    {
        var array = NpyReader.Read(path);
        if (array.Shape.Length != 2 || array.Shape[0] != SpectrogramLayout.Rows)
        {
            throw EegDataException.InFile(path, $"expected a [{SpectrogramLayout.Rows}, T] array, got [{string.Join(", ", array.Shape)}]");
        }
        var columns = array.Shape[1];
        SpectrogramValues.RequireUsable(array.Values, columns, path);
        // Kaggle's columns are centred at 1, 3, 5, ... s; the window decode only uses column indices.
        var times = new float[columns];
        for (var k = 0; k < columns; k++)
        {
            times[k] = (float)(1 + SpectrogramLayout.SecondsPerColumn * k);
        }
        return new Spectrogram(array.Values, times);
    }
}
