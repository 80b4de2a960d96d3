using Hbac.Eeg;
using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Montage;
using Hbac.Eeg.Synthetic;
using Hbac.Eeg.Windows;
using Hbac.Learning.Onnx;
using Hbac.Learning.Training;
using Hbac.Onnx;

namespace Hbac.Learning.Tests.Training;

/// <summary>EEG-window runs: the window source on real parquet files, and a whole run of that kind on a tiny synthetic folder.</summary>
[Collection("Torch")]
public sealed class EegWindowRunTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"hbac-eeg-run-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task TheSourceGivesTheWindowOfTheFileOnThreeChannelsAndNamesAFileThatCannotGiveIt()
    {
        Directory.CreateDirectory(_folder);
        var random = new Random(11);
        var samples = KaggleMontage.Columns.Select(_ => Enumerable.Range(0, 70 * 200).Select(_ => (float)(random.NextDouble() * 80 - 40)).ToArray()).ToArray();
        EegParquetWriter.Write(Path.Combine(_folder, "42.parquet"), new EegRecording(KaggleMontage.Columns, samples, 200));
        var source = new EegWindowSource(_folder);

        var window = new float[EegWindow.Size];
        await source.ReadWindowAsync(42, 12, window);
        Assert.Equal(EegWindow.Compute(samples, 12 * 200), window);
        await source.ReadWindowAsync(42, 12, window); // the second read is served from the cache
        Assert.Equal(1, source.Loads);

        var late = await Assert.ThrowsAsync<EegDataException>(async () => await source.ReadWindowAsync(42, 30, window));
        Assert.Contains("42.parquet", late.Message);
        Assert.Contains("ends after the recording (70 s)", late.Message);
        var missing = await Assert.ThrowsAsync<EegDataException>(async () => await source.ReadWindowAsync(43, 0, window));
        Assert.Contains("43.parquet", missing.Message);
    }

    [Fact]
    public async Task AnEegRunOnATinyFolderWritesEveryRunFileAndTheModelSaysWhatItReads()
    {
        var data = Path.Combine(_folder, "data");
        SyntheticDataset.Generate(new SyntheticOptions { OutputFolder = data, Patients = 7 });
        var training = KaggleTrainingData.Open(data, kind: ModelInputKind.Eeg);
        Assert.Equal(ModelInputKind.Eeg, training.Kind);
        Assert.All(training.Windows, w => Assert.Equal(w.EegId, w.InputId));
        var labels = Hbac.Eeg.Labels.TrainLabels.Read(Path.Combine(data, "train.csv"));
        Assert.Equal(labels.Select(l => l.EegLabelOffsetSeconds), training.Windows.Select(w => w.InputOffsetSeconds));

        var options = TrainingProfiles.Create("quick", "mobilenetv3", ModelInputKind.Eeg) with
        {
            Epochs = 1, BatchSize = 8, InputDownsample = 8, InputDownsampleColumns = null, MaxTrainWindows = 16, MaxValidationWindows = 8,
            FineTuneEpochs = 1,
        };
        Assert.Equal(0.8, options.OutputTemperature);
        Assert.Equal(1, options.Threads);
        var runFolder = Path.Combine(_folder, "run");
        var result = await Trainer.RunAsync(training, options, runFolder);

        foreach (var file in RunFolderLayout.Files)
        {
            Assert.True(new FileInfo(Path.Combine(runFolder, file)).Length > 0, $"{file} missing or empty");
        }
        var card = ModelCard.Load(result.CardPath);
        Assert.Equal(ModelInputKind.Eeg, card.Input);
        Assert.Equal(EegWindow.Parameters["band_pass_hz"], card.Preprocessing["band_pass_hz"]);
        Assert.StartsWith("50-s EEG window", card.Normalisation);
        using var classifier = OnnxClassifier.Open(Path.Combine(runFolder, RunFolderLayout.Onnx));
        Assert.Equal(ModelInputKind.Eeg, classifier.InputKind());
        Assert.Contains("input=eeg", classifier.Metadata["card_summary"]);
        Assert.Equal(0.8, card.HyperParameters.OutputTemperature);
        Assert.Contains($"\"version\":\"{EegWindow.PreprocessingVersion}\"", classifier.Metadata[ModelInputKinds.PreprocessingKey]);

        // The same network recorded as preprocessing version 1 (3 identical channels) is refused by name.
        var older = Path.Combine(_folder, "v1.onnx");
        var v1 = new Dictionary<string, string>(EegWindow.Parameters) { ["version"] = "1" };
        OnnxMetadataEditor.CopyWith(Path.Combine(runFolder, RunFolderLayout.Onnx), older,
            new KeyValuePair<string, string>(ModelInputKinds.PreprocessingKey, System.Text.Json.JsonSerializer.Serialize(v1)));
        using var old = OnnxClassifier.Open(older);
        var refused = Assert.Throws<ModelFileException>(() => old.InputKind());
        Assert.Contains("v1.onnx", refused.Message);
        Assert.Contains("preprocessing version 1", refused.Message);
        Assert.Contains("retrain", refused.Message);
    }

    [Fact]
    public void AnEegModelWithoutARecordedPreprocessingVersionIsRefusedAndTheCurrentOneIsAccepted()
    {
        var unversioned = Assert.Throws<ArgumentException>(() => ModelInputKinds.FromMetadata(new Dictionary<string, string> { [ModelInputKinds.MetadataKey] = "eeg" }));
        Assert.Contains("version 1", unversioned.Message);
        Assert.Contains($"this build computes version {EegWindow.PreprocessingVersion}", unversioned.Message);
        var current = new Dictionary<string, string>
        {
            [ModelInputKinds.MetadataKey] = "eeg",
            [ModelInputKinds.PreprocessingKey] = System.Text.Json.JsonSerializer.Serialize(EegWindow.Parameters),
        };
        Assert.Equal(ModelInputKind.Eeg, ModelInputKinds.FromMetadata(current));
        var broken = Assert.Throws<ArgumentException>(() => ModelInputKinds.FromMetadata(new Dictionary<string, string>
        {
            [ModelInputKinds.MetadataKey] = "eeg",
            [ModelInputKinds.PreprocessingKey] = "{not json",
        }));
        Assert.Contains(ModelInputKinds.PreprocessingKey, broken.Message);
    }

    [Fact]
    public void AFolderWithoutTrainEegsIsRefusedByName()
    {
        var data = Path.Combine(_folder, "no-eegs");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "train.csv"), "eeg_id\n");
        var refused = Assert.Throws<EegDataException>(() => KaggleTrainingData.Open(data, kind: ModelInputKind.Eeg));
        Assert.Contains("train_eegs", refused.Message);
    }

    [Theory]
    [InlineData("eeg", ModelInputKind.Eeg)]
    [InlineData(" Spectrogram ", ModelInputKind.Spectrogram)]
    public void KindsParseByName(string name, ModelInputKind kind) => Assert.Equal(kind, ModelInputKinds.Parse(name));

    [Fact]
    public void AModelWithoutTheKeyReadsSpectrograms() =>
        Assert.Equal(ModelInputKind.Spectrogram, ModelInputKinds.FromMetadata(new Dictionary<string, string>()));
}
