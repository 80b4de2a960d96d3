using Hbac.Eeg.Synthetic;
using Hbac.Learning.Training;

namespace Hbac.Training.Tests.Support;

/// <summary>
/// One small synthetic Kaggle dataset per test process, used as the data root: the root itself is the
/// dataset (the service's default), plus <c>corrupt/</c> (the same train.csv, spectrogram files that are
/// not parquet), <c>empty/</c> (no train.csv) and <c>escape</c> (a symlink out of the root).
/// </summary>
internal static class SyntheticData
{
    public const string Corrupt = "corrupt";
    public const string Empty = "empty";
    public const string Escape = "escape";

    private static readonly Lazy<string> Folder = new(Create);

    /// <summary>The data root (read-only for tests).</summary>
    public static string Root => Folder.Value;

    public static string SpectrogramFolder => Path.Combine(Root, KaggleTrainingData.SpectrogramFolder);

    private static string Create()
    {
        var root = Path.Combine(Path.GetTempPath(), $"hbac-training-data-{Environment.ProcessId}");
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
        SyntheticDataset.Generate(new SyntheticOptions { OutputFolder = root, Patients = 8, Seed = 11 });
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
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
        File.CreateSymbolicLink(Path.Combine(root, Escape), Path.GetTempPath());
        return root;
    }
}
