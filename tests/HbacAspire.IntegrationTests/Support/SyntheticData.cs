using Hbac.Contracts;
using Hbac.Eeg.Formats;
using Hbac.Eeg.Montage;
using Hbac.Eeg.Synthetic;

namespace HbacAspire.IntegrationTests.Support;

/// <summary>
/// A small synthetic Kaggle-format folder (Hbac.Eeg's generator, 2 patients, ~3 s) inside a stack's
/// home, so it goes when the home goes: the stack's <c>--data</c> folder (spectrograms for
/// preprocessing and Score by id) and the source of the EEG the tests stream, so the suite runs
/// without ../shared/data.
/// </summary>
internal sealed class SyntheticData
{
    private SyntheticData(string folder) => Folder = folder;

    public string Folder { get; }

    public static SyntheticData Generate(string folder)
    {
        SyntheticDataset.Generate(new SyntheticOptions { OutputFolder = folder, Patients = 2 });
        return new SyntheticData(folder);
    }

    /// <summary>The first test EEG (50 s) as the 20 streamed channels.</summary>
    public float[][] TestEeg() => StreamChannels(RecordingFiles.Load(TestEegPath()));

    /// <summary>The parquet file of <see cref="TestEeg"/>.</summary>
    public string TestEegPath() => FirstFile("test_eegs");

    /// <summary>A train spectrogram, as a path relative to the data root.</summary>
    public string SpectrogramPath() => Path.GetRelativePath(Folder, FirstFile("train_spectrograms"));

    /// <summary>The spectrogram id (file stem) of <see cref="SpectrogramPath"/>.</summary>
    public string SpectrogramId() => Path.GetFileNameWithoutExtension(SpectrogramPath());

    /// <summary>The channels of <see cref="EegStream.ChannelNames"/> in order; a missing EKG streams as zeros.</summary>
    public static float[][] StreamChannels(EegRecording recording) =>
        EegStream.ChannelNames.Select(name => recording.Channel(name)
            ?? (name == "EKG" ? new float[recording.Length] : throw new InvalidOperationException($"no {name} channel"))).ToArray();

    /// <summary><paramref name="channels"/> repeated <paramref name="times"/> times end to end (a longer stream from one recording).</summary>
    public static float[][] Repeat(float[][] channels, int times) =>
        channels.Select(c => Enumerable.Repeat(c, times).SelectMany(x => x).ToArray()).ToArray();

    /// <summary>The first <paramref name="seconds"/> of <paramref name="channels"/> played in a loop (a test EEG is only 50 s long).</summary>
    public static float[][] Looped(float[][] channels, int seconds)
    {
        var samples = seconds * Hbac.Contracts.EegStream.SampleRateHz;
        return Repeat(channels, samples / channels[0].Length + 1).Select(c => c[..samples]).ToArray();
    }

    private string FirstFile(string subfolder) =>
        Directory.EnumerateFiles(Path.Combine(Folder, subfolder), "*.parquet").Order(StringComparer.Ordinal).First();
}
