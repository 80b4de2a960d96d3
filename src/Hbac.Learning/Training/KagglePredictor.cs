using Hbac.Eeg;
using Hbac.Eeg.Formats;
using Hbac.Eeg.Labels;
using Hbac.Eeg.Windows;
using Hbac.Learning.Onnx;
using Hbac.Onnx;

namespace Hbac.Learning.Training;

/// <summary>Kaggle-style inference with an ONNX classifier: a submission for test.csv, or one window of one file.</summary>
public static class KagglePredictor
{
    public const string TestLabelsFile = "test.csv";
    public const string TestSpectrogramFolder = "test_spectrograms";
    public const string TestEegFolder = "test_eegs";

    /// <summary>
    /// One row per test.csv row: eeg_id and the six class probabilities. Each test spectrogram is scored
    /// at offset 0 (Kaggle's test spectrograms are the 600-s window centred on the test EEG); with
    /// <see cref="ModelInputKind.Eeg"/>, each test EEG (exactly the 50-s window of its label) instead.
    /// </summary>
    public static async Task<IReadOnlyList<VoteRow>> PredictTestAsync(
        OnnxClassifier classifier,
        string folder,
        int batch = 16,
        IProgress<(int Done, int Total)>? progress = null,
        CancellationToken ct = default,
        ModelInputKind kind = ModelInputKind.Spectrogram)
    {
        var testPath = Path.Combine(folder, TestLabelsFile);
        if (!File.Exists(testPath))
        {
            throw EegDataException.InFile(testPath, "not found (a Kaggle-format folder needs test.csv)");
        }
        var entries = TestEntries.Read(testPath);
        if (entries.Count == 0)
        {
            throw EegDataException.InFile(testPath, "no rows to predict");
        }
        var inputFolder = Path.Combine(folder, kind == ModelInputKind.Eeg ? TestEegFolder : TestSpectrogramFolder);
        if (!Directory.Exists(inputFolder))
        {
            throw new EegDataException($"{inputFolder}: folder not found (a {kind.Name()} model scores test.csv's rows from {Path.GetFileName(inputFolder)}/)");
        }
        ITrainingWindowSource source = kind == ModelInputKind.Eeg
            ? new EegWindowSource(inputFolder)
            : KaggleTrainingData.OpenSource(inputFolder);
        var rows = new VoteRow[entries.Count];
        var inputs = new float[batch * Trainer.InputSize];
        for (var start = 0; start < entries.Count; start += batch)
        {
            var count = Math.Min(batch, entries.Count - start);
            await Parallel.ForAsync(0, count, ct, async (i, token) =>
            {
                var entry = entries[start + i];
                await source.ReadWindowAsync(kind == ModelInputKind.Eeg ? entry.EegId : entry.SpectrogramId, 0, inputs.AsMemory(i * Trainer.InputSize, Trainer.InputSize), token).ConfigureAwait(false);
            }).ConfigureAwait(false);
            var output = classifier.Predict(inputs.AsSpan(0, count * Trainer.InputSize), count);
            for (var i = 0; i < count; i++)
            {
                rows[start + i] = new VoteRow(entries[start + i].EegId, output[i].Select(p => (double)p).ToArray());
            }
            progress?.Report((start + count, entries.Count));
        }
        return rows;
    }

    /// <summary>Probabilities of the window at <paramref name="offsetSeconds"/> of one spectrogram file (.parquet or .npy).</summary>
    public static float[] PredictFile(OnnxClassifier classifier, string spectrogramPath, double offsetSeconds = 0) =>
        classifier.Predict(SpectrogramFiles.ReadWindow(spectrogramPath, offsetSeconds), 1)[0];

    /// <summary>
    /// Probabilities of the 50-s EEG window from <paramref name="offsetSeconds"/> of one recording
    /// (Kaggle EEG parquet, EDF or BDF; other rates are resampled to 200 Hz).
    /// </summary>
    public static float[] PredictEegFile(OnnxClassifier classifier, string recordingPath, double offsetSeconds = 0)
    {
        if (!File.Exists(recordingPath))
        {
            throw EegDataException.InFile(recordingPath, "file not found");
        }
        WindowOffset.Require(offsetSeconds);
        var recording = RecordingFiles.Load(recordingPath);
        // In samples as a double first: an offset far past any recording (1e9 s) fits no int sample index.
        var start = offsetSeconds * EegWindow.SampleRateHz < recording.Length ? EegWindow.StartSample(offsetSeconds) : recording.Length;
        if (start + EegWindow.Samples > recording.Length)
        {
            throw EegDataException.InFile(recordingPath,
                $"the 50-s window from {offsetSeconds:0.##} s ends after the recording ({recording.DurationSeconds:0.##} s)");
        }
        var input = EegWindow.Compute(Hbac.Eeg.Montage.KaggleMontage.Columns.Select(recording.Channel).ToArray(), start);
        return classifier.Predict(input, 1)[0];
    }
}
