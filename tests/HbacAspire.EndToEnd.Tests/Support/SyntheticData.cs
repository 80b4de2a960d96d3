using Hbac.Contracts;
using Hbac.Eeg.Formats;
using Hbac.Eeg.Montage;
using Hbac.Eeg.Synthetic;

namespace HbacAspire.EndToEnd.Tests.Support;

/// <summary>
/// A small synthetic Kaggle-format folder (Hbac.Eeg's generator, 2 patients), made once per test run:
/// the stacks' <c>--data</c> folder (spectrograms for preprocessing and Score by id) and the source of
/// EEG to stream, so the suite runs without ../shared/data.
/// </summary>
internal static class SyntheticData
{
    private static readonly Lazy<string> Generated = new(() =>
    {
        var folder = Directory.CreateTempSubdirectory("hbac-e2e-data-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Delete(folder);
        SyntheticDataset.Generate(new SyntheticOptions { OutputFolder = folder, Patients = 2 });
        return folder;
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Folder => Generated.Value;

    /// <summary>The first test EEG (50 s) as the 20 streamed channels.</summary>
    public static float[][] TestEeg() => StreamChannels(RecordingFiles.Load(FirstFile("test_eegs")));

    /// <summary>A train spectrogram, as a path relative to the data root.</summary>
    public static string SpectrogramPath() => Path.GetRelativePath(Folder, FirstFile("train_spectrograms"));

    /// <summary>The spectrogram id (file stem) of <see cref="SpectrogramPath"/>.</summary>
    public static string SpectrogramId() => Path.GetFileNameWithoutExtension(SpectrogramPath());

    /// <summary>The channels of <see cref="EegStream.ChannelNames"/> in order; a missing EKG streams as zeros.</summary>
    public static float[][] StreamChannels(EegRecording recording) =>
        EegStream.ChannelNames.Select(name => recording.Channel(name)
            ?? (name == "EKG" ? new float[recording.Length] : throw new InvalidOperationException($"no {name} channel"))).ToArray();

    /// <summary><paramref name="channels"/> repeated <paramref name="times"/> times end to end (a longer stream from one recording).</summary>
    public static float[][] Repeat(float[][] channels, int times) =>
        channels.Select(c => Enumerable.Repeat(c, times).SelectMany(x => x).ToArray()).ToArray();

    private static void Delete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private static string FirstFile(string subfolder) =>
        Directory.EnumerateFiles(Path.Combine(Folder, subfolder), "*.parquet").Order(StringComparer.Ordinal).First();
}
