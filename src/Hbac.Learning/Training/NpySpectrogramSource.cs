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
        return Task.Run(() => SpectrogramNpy.ReadSpectrogram(path), ct);
    }
}
