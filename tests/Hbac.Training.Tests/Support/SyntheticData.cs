using Hbac.Eeg.Synthetic;
using Hbac.Learning.Training;

namespace Hbac.Training.Tests.Support;

/// <summary>
/// One small synthetic Kaggle dataset per test process, used as the data root: the root itself is the
/// dataset (the service's default), plus <c>corrupt/</c> (the same train.csv, spectrogram files that are
/// not parquet), <c>empty/</c> (no train.csv), <c>no-spectrograms/</c>, <c>linked-out/</c> (train_spectrograms
/// is a symlink out of the root) and <c>escape</c> (a symlink out of the root).
/// </summary>
internal static class SyntheticData
{
    public const string Corrupt = "corrupt";
    public const string Empty = "empty";
    public const string Escape = "escape";
    public const string LinkedOut = "linked-out";
    public const string NoSpectrograms = "no-spectrograms";

    private static readonly Lazy<string> Folder = new(Create);

    /// <summary>The data root (read-only for tests).</summary>
    public static string Root => Folder.Value;

    public static string SpectrogramFolder => Path.Combine(Root, KaggleTrainingData.SpectrogramFolder);

    private static string Create()
    {
        var root = Path.Combine(Path.GetTempPath(), $"hbac-training-data-{Environment.ProcessId}");
        foreach (var stale in new[] { root, root + "-outside-spectrograms" })
        {
            if (Directory.Exists(stale))
            {
                Directory.Delete(stale, recursive: true);
            }
        }
        SyntheticDataset.Generate(new SyntheticOptions { OutputFolder = root, Patients = 8, Seed = 11 });
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
                Directory.Delete(root + "-outside-spectrograms", recursive: true);
            }
            catch (IOException)
            {
                // Best effort at exit.
            }
        };

        var corrupt = Path.Combine(root, Corrupt);
        Directory.CreateDirectory(Path.Combine(corrupt, KaggleTrainingData.SpectrogramFolder));
        File.Copy(Path.Combine(root, KaggleTrainingData.LabelsFile), Path.Combine(corrupt, KaggleTrainingData.LabelsFile));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, KaggleTrainingData.SpectrogramFolder), "*.parquet"))
        {
            File.WriteAllText(Path.Combine(corrupt, KaggleTrainingData.SpectrogramFolder, Path.GetFileName(file)), "this is not a parquet file");
        }
        Directory.CreateDirectory(Path.Combine(root, Empty));
        var linked = Path.Combine(root, LinkedOut);
        Directory.CreateDirectory(linked);
        File.Copy(Path.Combine(root, KaggleTrainingData.LabelsFile), Path.Combine(linked, KaggleTrainingData.LabelsFile));
        var outside = root + "-outside-spectrograms";
        Directory.CreateDirectory(outside);
        Directory.CreateSymbolicLink(Path.Combine(linked, KaggleTrainingData.SpectrogramFolder), outside);
        var noSpectrograms = Path.Combine(root, NoSpectrograms);
        Directory.CreateDirectory(noSpectrograms);
        File.Copy(Path.Combine(root, KaggleTrainingData.LabelsFile), Path.Combine(noSpectrograms, KaggleTrainingData.LabelsFile));
        File.CreateSymbolicLink(Path.Combine(root, Escape), Path.GetTempPath());
        return root;
    }
}
