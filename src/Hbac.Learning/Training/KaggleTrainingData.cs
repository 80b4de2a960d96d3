using System.Security.Cryptography;
using System.Text;
using Hbac.Eeg;
using Hbac.Eeg.Labels;
using Hbac.Onnx;

namespace Hbac.Learning.Training;

/// <summary>
/// Opens a Kaggle-format folder for training: <c>train.csv</c> plus the spectrograms, read from
/// <c>train_spectrograms/*.parquet</c> or from a folder of converted <c>.npy</c> files; or, for an
/// EEG-window run, plus the raw EEG of <c>train_eegs/*.parquet</c>.
/// </summary>
public static class KaggleTrainingData
{
    public const string LabelsFile = "train.csv";
    public const string SpectrogramFolder = "train_spectrograms";
    public const string EegFolder = "train_eegs";

    /// <param name="folder">The Kaggle-format folder holding train.csv.</param>
    /// <param name="spectrograms">A folder of &lt;id&gt;.parquet or &lt;id&gt;.npy files; default <c>train_spectrograms</c>
    /// (for <see cref="ModelInputKind.Eeg"/>: a folder of &lt;eeg_id&gt;.parquet, default <c>train_eegs</c>).</param>
    /// <param name="kind">What the model reads.</param>
    public static TrainingData Open(string folder, string? spectrograms = null, ModelInputKind kind = ModelInputKind.Spectrogram)
    {
        if (kind == ModelInputKind.Eeg)
        {
            return OpenEeg(folder, spectrograms);
        }
        if (!Directory.Exists(folder))
        {
            throw new EegDataException($"{folder}: data folder not found");
        }
        var labelsPath = Path.Combine(folder, LabelsFile);
        if (!File.Exists(labelsPath))
        {
            throw EegDataException.InFile(labelsPath, "not found (a Kaggle-format folder needs train.csv)");
        }
        var spectrogramFolder = spectrograms ?? Path.Combine(folder, SpectrogramFolder);
        if (!Directory.Exists(spectrogramFolder))
        {
            throw new EegDataException($"{spectrogramFolder}: spectrogram folder not found");
        }
        var windows = TrainLabels.Read(labelsPath).Select(ToWindow).ToArray();
        if (windows.Length == 0)
        {
            throw EegDataException.InFile(labelsPath, "no labelled rows to train on");
        }
        var source = OpenSource(spectrogramFolder);
        return new TrainingData(Path.GetFullPath(folder), labelsPath, Fingerprint(labelsPath, spectrogramFolder), windows, source);
    }

    private static TrainingData OpenEeg(string folder, string? eegs)
    {
        var labelsPath = LabelsPath(folder);
        var eegFolder = eegs ?? Path.Combine(folder, EegFolder);
        if (!Directory.Exists(eegFolder))
        {
            throw new EegDataException($"{eegFolder}: EEG folder not found (an EEG-window run reads train_eegs/<eeg_id>.parquet)");
        }
        var windows = TrainLabels.Read(labelsPath)
            .Select(label => ToWindow(label) with { InputId = label.EegId, InputOffsetSeconds = label.EegLabelOffsetSeconds })
            .ToArray();
        if (windows.Length == 0)
        {
            throw EegDataException.InFile(labelsPath, "no labelled rows to train on");
        }
        return new TrainingData(Path.GetFullPath(folder), labelsPath, Fingerprint(labelsPath, eegFolder), windows,
            new EegWindowSource(eegFolder), ModelInputKind.Eeg);
    }

    private static string LabelsPath(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new EegDataException($"{folder}: data folder not found");
        }
        var labelsPath = Path.Combine(folder, LabelsFile);
        return File.Exists(labelsPath) ? labelsPath : throw EegDataException.InFile(labelsPath, "not found (a Kaggle-format folder needs train.csv)");
    }

    /// <summary>Parquet when the folder has any .parquet file, else .npy (what <c>hbac convert</c> writes).</summary>
    public static CachedSpectrogramSource OpenSource(string spectrogramFolder) =>
        Directory.EnumerateFiles(spectrogramFolder, "*.parquet").Any()
            ? new ParquetSpectrogramSource(spectrogramFolder)
            : Directory.EnumerateFiles(spectrogramFolder, "*.npy").Any()
                ? new NpySpectrogramSource(spectrogramFolder)
                : throw new EegDataException($"{spectrogramFolder}: no .parquet or .npy spectrograms");

    public static TrainingWindow ToWindow(TrainLabel label) => new(
        label.LabelId,
        label.EegId,
        label.SpectrogramId,
        label.SpectrogramLabelOffsetSeconds,
        label.PatientId,
        label.ExpertConsensus,
        label.Distribution().Select(v => (float)v).ToArray())
    {
        ExpertVotes = label.TotalVotes,
    };

    /// <summary>
    /// SHA-256 over train.csv's bytes and the sorted spectrogram file names with their sizes: the same
    /// labels and files give the same fingerprint wherever the folder lives.
    /// </summary>
    public static string Fingerprint(string labelsPath, string spectrogramFolder)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(File.ReadAllBytes(labelsPath));
        var files = Directory.EnumerateFiles(spectrogramFolder)
            .Select(f => new FileInfo(f))
            .OrderBy(f => f.Name, StringComparer.Ordinal);
        foreach (var file in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"\n{file.Name}\t{file.Length}"));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
