using System.CommandLine;
using System.Globalization;
using Hbac.Eeg.Formats.Csv;
using Hbac.Eeg.Labels;
using Hbac.Eeg.Metrics;
using Hbac.Learning.Training;
using Hbac.Onnx;

namespace Hbac.Cli.Tests.Training;

/// <summary>
/// train -> evaluate -> predict -> compare through the real command line, on a tiny synthetic folder
/// (6 patients) and a model trained for one epoch at 1/8 resolution.
/// </summary>
[Collection("Console")]
public sealed class TrainingCommandsTests : IClassFixture<TrainingCommandsTests.TinyRun>
{
    private readonly TinyRun _run;

    public TrainingCommandsTests(TinyRun run) => _run = run;

    public sealed class TinyRun : IDisposable
    {
        public string Folder { get; } = Path.Combine(Path.GetTempPath(), $"hbac-cli-train-{Guid.NewGuid():N}");
        public string Data => Path.Combine(Folder, "data");
        public string RunFolder => Path.Combine(Folder, "run");
        public string EegRunFolder => Path.Combine(Folder, "eeg-run");
        public (int Exit, string Out, string Error) Train { get; }
        public (int Exit, string Out, string Error) TrainEeg { get; }

        public TinyRun()
        {
            var synth = Hbac.Run("synth", "--out", Data, "--patients", "6", "--seed", "3");
            Assert.True(synth.Exit == 0, synth.Error);
            Train = Hbac.Run("train", "--data", Data, "--model", "mobilenetv3", "--profile", "quick", "--epochs", "1",
                "--fine-tune-epochs", "0", "--batch", "16", "--downsample", "8", "--out", RunFolder);
            TrainEeg = Hbac.Run("train", "--data", Data, "--input", "eeg", "--model", "mobilenetv3", "--profile", "quick", "--epochs", "1",
                "--fine-tune-epochs", "1", "--batch", "16", "--downsample", "4x12", "--out", EegRunFolder);
        }

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }

    [Fact]
    public void TrainWritesTheRunFolderAndSummarises()
    {
        Assert.True(_run.Train.Exit == 0, _run.Train.Error);
        foreach (var file in RunFolderLayout.Files)
        {
            Assert.True(File.Exists(Path.Combine(_run.RunFolder, file)), $"{file} missing");
        }
        var card = ModelCard.Load(Path.Combine(_run.RunFolder, RunFolderLayout.Card));
        Assert.Equal("quick", card.Profile);
        Assert.Equal(1, card.HyperParameters.Epochs);
        Assert.Equal(16, card.HyperParameters.BatchSize);
        Assert.Equal(8, card.HyperParameters.InputDownsample);
        Assert.Equal(File.ReadAllLines(Path.Combine(_run.Data, "train.csv")).Length - 1, card.Data.LabelledWindows);
        Assert.Contains("best epoch 1: validation loss", _run.Train.Out);
    }

    [Fact]
    public void EvaluatePrintsModelPriorAndBestAchievableKl()
    {
        var (exit, output, error) = Hbac.Run("evaluate", "--model", Path.Combine(_run.RunFolder, "model.onnx"), "--data", _run.Data);
        Assert.True(exit == 0, error);
        var card = ModelCard.Load(Path.Combine(_run.RunFolder, RunFolderLayout.Card));
        // Same fold, same windows: ONNX Runtime reproduces the KL training measured with TorchSharp.
        var modelKl = double.Parse(System.Text.RegularExpressions.Regex.Match(output, @"model KL +(\d+\.\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(card.BestValidationKaggleKl - modelKl) < 1e-3, $"evaluate {modelKl} vs training {card.BestValidationKaggleKl}");
        Assert.Contains($"class-prior KL      {card.ClassPriorValidationKaggleKl.ToString("F4", CultureInfo.InvariantCulture)}", output);
        Assert.Matches(@"best achievable KL  \d\.\d{4}", output);
        // Reading the signal perfectly cannot see the shares the generator never drew, so it scores above the truth.
        var best = double.Parse(System.Text.RegularExpressions.Regex.Match(output, @"best achievable KL +(\d+\.\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        var reader = double.Parse(System.Text.RegularExpressions.Regex.Match(output, @"perfect-reader KL +(\d+\.\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(reader > best, $"perfect reader {reader}, best achievable {best}");
    }

    [Fact]
    public void EvaluatePrintsTheCalibrationTrainingRecordedWithItsReliabilityTable()
    {
        var (exit, output, error) = Hbac.Run("evaluate", "--model", Path.Combine(_run.RunFolder, "model.onnx"), "--data", _run.Data);
        Assert.True(exit == 0, error);
        var card = ModelCard.Load(Path.Combine(_run.RunFolder, RunFolderLayout.Card));
        var recorded = Assert.IsType<ValidationCalibration>(card.Calibration);
        Assert.True(File.Exists(Path.Combine(_run.RunFolder, RunFolderLayout.Calibration)));

        // Against the votes, then (synthetic data) against the truth; ONNX Runtime's probabilities against TorchSharp's.
        var classwise = System.Text.RegularExpressions.Regex.Match(output, @"\nclasswise ECE +(\d\.\d{4}) \(max \d\.\d{3}; (\d+) predictions\) +\d\.\d{4} \(max \d\.\d{3}\)\n");
        Assert.True(classwise.Success, output);
        Assert.InRange(Math.Abs(recorded.Classwise.ExpectedError - double.Parse(classwise.Groups[1].Value, CultureInfo.InvariantCulture)), 0, 2e-3);
        Assert.Equal(card.Data.ValidationWindows * 6, int.Parse(classwise.Groups[2].Value, CultureInfo.InvariantCulture));
        var top = System.Text.RegularExpressions.Regex.Match(output, @"\ntop-label ECE +(\d\.\d{4}) \(max \d\.\d{3}; (\d+) predictions\)");
        Assert.True(top.Success, output);
        Assert.InRange(Math.Abs(recorded.TopLabel.ExpectedError - double.Parse(top.Groups[1].Value, CultureInfo.InvariantCulture)), 0, 2e-3);
        // The reliability table holds every prediction once: bin, count, mean predicted, mean vote share, mean true share.
        var bins = System.Text.RegularExpressions.Regex.Matches(output, @"\n  (\d\.\d)-(\d\.\d) +(\d+) +(\d\.\d{3}) +(\d\.\d{3}) +(\d\.\d{3})(?=\n)");
        Assert.Equal(recorded.Classwise.Bins.Count, bins.Count);
        Assert.Equal(card.Data.ValidationWindows * 6, bins.Sum(b => int.Parse(b.Groups[3].Value, CultureInfo.InvariantCulture)));
        Assert.All(bins, b => Assert.InRange(double.Parse(b.Groups[4].Value, CultureInfo.InvariantCulture),
            double.Parse(b.Groups[1].Value, CultureInfo.InvariantCulture) - 1e-9, double.Parse(b.Groups[2].Value, CultureInfo.InvariantCulture) + 1e-9));
    }

    [Fact]
    public void EvaluateWithABaselineOfTheOtherKindPrintsTheDifferenceOnTheSameRows()
    {
        var eeg = Path.Combine(_run.EegRunFolder, "model.onnx");
        var spectrogram = Path.Combine(_run.RunFolder, "model.onnx");
        var alone = Hbac.Run("evaluate", "--model", spectrogram, "--data", _run.Data);
        var (exit, output, error) = Hbac.Run("evaluate", "--model", eeg, "--data", _run.Data, "--baseline", spectrogram);

        Assert.True(exit == 0, error);
        double Printed(string text, string name) =>
            double.Parse(System.Text.RegularExpressions.Regex.Match(text, name + @" +([+-]?\d+\.\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        var windows = int.Parse(System.Text.RegularExpressions.Regex.Match(output, @"fold 0: (\d+) validation windows").Groups[1].Value, CultureInfo.InvariantCulture);
        // The spectrogram model read its own windows of the same labels: the same KL as evaluating it alone.
        Assert.Equal(Printed(alone.Out, "model KL"), Printed(output, "baseline KL"), 4);
        Assert.Contains($"({spectrogram}, spectrogram model; {windows} of the model's {windows} rows scored by both)", output);
        // Each of the three is rounded to 4 decimals on its own: the printed difference may be off by up to 1.5e-4.
        Assert.InRange(Printed(output, "model - baseline") - (Printed(output, "model KL") - Printed(output, "baseline KL")), -1.5e-4, 1.5e-4);
        Assert.Contains("model - baseline", output);
        Assert.Matches(@"model - baseline +[+-]\d\.\d{4}  \(no interval: the fold holds 1 patient", output);
    }

    [Fact]
    public void EvaluateRowsWriteEachValidationWindowWhoseKlTermsAverageToTheFoldsKl()
    {
        var rowsPath = Path.Combine(_run.Folder, "rows.csv");
        var (exit, output, error) = Hbac.Run("evaluate", "--model", Path.Combine(_run.RunFolder, "model.onnx"), "--data", _run.Data, "--rows", rowsPath);
        Assert.True(exit == 0, error);
        double Printed(string name) => double.Parse(System.Text.RegularExpressions.Regex.Match(output, name + @" +(\d+\.\d+)").Groups[1].Value, CultureInfo.InvariantCulture);

        var table = CsvTable.Read(rowsPath);
        Assert.Equal(FoldRowsFile.Header, table.Header);
        var card = ModelCard.Load(Path.Combine(_run.RunFolder, RunFolderLayout.Card));
        Assert.Equal(card.Data.ValidationWindows, table.Rows.Count);
        Assert.Contains($"wrote {table.Rows.Count} rows to {rowsPath}", output);
        double Mean(string column) => table.Rows.Average(r => table.Double(r, table.RequireColumn(column)));
        Assert.Equal(Printed("model KL"), Mean("kl"), 4);
        Assert.Equal(Printed("perfect-reader KL"), Mean("reader_kl"), 4);
        // This fold holds one patient: no interval, and the line says why (FoldEvaluationTests cover the intervals).
        var patients = table.Rows.Select(r => table.Int64(r, table.RequireColumn("patient_id"))).Distinct().Count();
        Assert.Equal(1, patients);
        Assert.Contains($"  (no interval: the fold holds 1 patient, fewer than the 3 a bootstrap over patients needs)\n", output);
        Assert.DoesNotContain("model - reader", output);
        // The summary's EEG table is the same rows grouped by EEG: its first line is the EEG furthest above the reader.
        var worst = table.Rows.GroupBy(r => table.Int64(r, table.RequireColumn("eeg_id")))
            .Select(g => (Eeg: g.Key, Above: g.Sum(r => table.Double(r, table.RequireColumn("kl")) - table.Double(r, table.RequireColumn("reader_kl"))) / table.Rows.Count))
            .MaxBy(e => e.Above);
        Assert.Matches($@"above\n  {worst.Eeg} +\d+ +\d+\.\d +\d\.\d{{4}} +\d\.\d{{4}} +{(worst.Above >= 0 ? "\\+" : "-")}{Math.Abs(worst.Above).ToString("F4", CultureInfo.InvariantCulture)}\n", output);
        // Each row's probabilities are a distribution, and its KL term is the Kaggle KL of its votes against them.
        foreach (var row in table.Rows)
        {
            double[] Values(string prefix) => EegClasses.Names.Select(n => table.Double(row, table.RequireColumn(prefix + n))).ToArray();
            var votes = EegClasses.VoteColumns.Select(c => table.Double(row, table.RequireColumn(c))).ToArray();
            Assert.Equal(1, Values("p_").Sum(), 5);
            Assert.Equal(KaggleKl.RowDivergence(votes, Values("p_")), table.Double(row, table.RequireColumn("kl")), 12);
            Assert.Equal(1, Values("truth_").Sum(), 6);
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("5x")]
    [InlineData("2x3x4")]
    public void ADownsampleThatIsNotAFactorOrRowsByColumnsIsRefusedBeforeAnyWork(string value)
    {
        var (exit, _, error) = Hbac.Run("train", "--data", _run.Data, "--model", "mobilenetv3", "--downsample", value, "--out", Path.Combine(_run.Folder, "refused"));

        Assert.NotEqual(0, exit);
        Assert.Contains("--downsample", error);
        Assert.False(Directory.Exists(Path.Combine(_run.Folder, "refused")));
    }

    [Fact]
    public void AnEegRunRecordsItsInputAndEvaluateScoresTheEegWindows()
    {
        Assert.True(_run.TrainEeg.Exit == 0, _run.TrainEeg.Error);
        var card = ModelCard.Load(Path.Combine(_run.EegRunFolder, RunFolderLayout.Card));
        Assert.Equal(ModelInputKind.Eeg, card.Input);
        Assert.Equal((4, 12), (card.HyperParameters.InputDownsample, card.HyperParameters.InputDownsampleColumns));
        Assert.Equal("0.5-20 (linear-phase FIR, 801 taps, Hamming-windowed sinc)", card.Preprocessing["band_pass_hz"]);
        Assert.Equal("3", card.Preprocessing["version"]);
        // One epoch on every training window, then one on those at least 10 experts voted on.
        Assert.Equal([false, true], card.Epochs.Select(e => e.FineTune));
        Assert.InRange(card.Data.FineTuneWindows, 1, card.Data.TrainWindows - 1);
        Assert.Contains($"then 1 epochs x {(card.Data.FineTuneWindows + 15) / 16} steps on the {card.Data.FineTuneWindows} training windows with at least 10 votes", _run.TrainEeg.Out);

        // evaluate reads the kind from the model: only the EEG windows reproduce the KL training measured.
        var (exit, output, error) = Hbac.Run("evaluate", "--model", Path.Combine(_run.EegRunFolder, "model.onnx"), "--data", _run.Data);
        Assert.True(exit == 0, error);
        var modelKl = double.Parse(System.Text.RegularExpressions.Regex.Match(output, @"model KL +(\d+\.\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(card.BestValidationKaggleKl - modelKl) < 1e-3, $"evaluate {modelKl} vs training {card.BestValidationKaggleKl}");
    }

    [Fact]
    public void QuantizeRefusesAModelBeyondTheDriftLimitWithItsNumbersAndWritesNothing()
    {
        Assert.True(_run.TrainEeg.Exit == 0, _run.TrainEeg.Error);
        var output = Path.Combine(_run.Folder, "quantized", "model.int8.onnx");

        var (exit, stdout, error) = Hbac.Run("quantize", "--model", Path.Combine(_run.EegRunFolder, "model.onnx"), "--data", _run.Data,
            "--out", output, "--calibration-windows", "16", "--max-drift", "1e-12", "--threads", "1");

        Assert.Equal(2, exit);
        Assert.Matches(@"\nvalidation: \d+ windows?, \d+ patients?; timing: 1 thread\n", stdout.ReplaceLineEndings("\n"));
        // The drift refusal first; the tiny model may break another limit too, listed after it ("; ...").
        Assert.Matches(@"^hbac: refused to write .*model\.int8\.onnx: mean KL\(fp32 \|\| int8\) \d\.\d{5} > 1E-12 \(--max-drift\)(; .+)?$", error.TrimEnd().Split('\n')[^1]);
        Assert.Contains("(eeg input), fold 0 (card.json)", stdout);
        Assert.Matches(@"optimized graph \(ONNX Runtime CPU\): QLinearConv \d+", stdout);
        Assert.Contains("not written: mean KL(fp32 || int8)", stdout);
        // Both models' calibration against the votes, fp32's as training recorded it.
        var card = ModelCard.Load(Path.Combine(_run.EegRunFolder, RunFolderLayout.Card));
        var ece = System.Text.RegularExpressions.Regex.Match(stdout, @"\nclasswise ECE +(\d\.\d{4}) +(\d\.\d{4})\n");
        Assert.True(ece.Success, stdout);
        Assert.InRange(Math.Abs(card.Calibration!.Classwise.ExpectedError - double.Parse(ece.Groups[1].Value, CultureInfo.InvariantCulture)), 0, 2e-3);
        Assert.Matches(@"\ntop-label ECE +\d\.\d{4} +\d\.\d{4}\n", stdout);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(output)!));
    }

    [Fact]
    public void PredictScoresTestEegsWithAnEegModelAndRefusesEveryMismatchByName()
    {
        Assert.True(_run.TrainEeg.Exit == 0, _run.TrainEeg.Error);
        var eegModel = Path.Combine(_run.EegRunFolder, "model.onnx");
        var spectrogramModel = Path.Combine(_run.RunFolder, "model.onnx");

        var submission = Path.Combine(_run.Folder, "eeg-submission.csv");
        var (exit, _, error) = Hbac.Run("predict", "--model", eegModel, "--data", _run.Data, "--out", submission);
        Assert.True(exit == 0, error);
        var rows = VoteTable.Read(submission, normalise: false);
        Assert.Equal(TestEntries.Read(Path.Combine(_run.Data, "test.csv")).Select(t => t.EegId), rows.Select(r => r.EegId));
        Assert.All(rows, r => Assert.Equal(1.0, r.Values.Sum(), 4));

        var testEeg = Directory.EnumerateFiles(Path.Combine(_run.Data, "test_eegs"), "*.parquet").First();
        (exit, var output, error) = Hbac.Run("predict", "--model", eegModel, "--eeg", testEeg);
        Assert.True(exit == 0, error);
        Assert.Equal(EegClasses.VoteColumns, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]));

        var testSpectrogram = Directory.EnumerateFiles(Path.Combine(_run.Data, "test_spectrograms"), "*.parquet").First();
        foreach (var (args, message) in new (string[], string)[]
        {
            (["--model", eegModel, "--spectrogram", testSpectrogram], $"hbac: --spectrogram: {eegModel} reads eeg windows (hbac.input), not spectrogram windows"),
            (["--model", spectrogramModel, "--eeg", testEeg], $"hbac: --eeg: {spectrogramModel} reads spectrogram windows (hbac.input), not eeg windows"),
            (["--model", eegModel, "--data", _run.Data, "--input", "spectrogram", "--out", submission], $"hbac: --input spectrogram: {eegModel} reads eeg windows (hbac.input), not spectrogram windows"),
        })
        {
            (exit, _, error) = Hbac.Run(["predict", .. args]);
            Assert.Equal(2, exit);
            Assert.Equal(message, error.Trim());
        }
    }

    [Fact]
    public void PredictWritesASubmissionForEveryTestRow()
    {
        var submission = Path.Combine(_run.Folder, "submission.csv");
        var (exit, _, error) = Hbac.Run("predict", "--model", Path.Combine(_run.RunFolder, "model.onnx"), "--data", _run.Data, "--out", submission);
        Assert.True(exit == 0, error);
        var rows = VoteTable.Read(submission, normalise: false);
        var test = TestEntries.Read(Path.Combine(_run.Data, "test.csv"));
        Assert.Equal(test.Select(t => t.EegId), rows.Select(r => r.EegId));
        Assert.All(rows, r => Assert.Equal(1.0, r.Values.Sum(), 4));
        Assert.Equal(["eeg_id", .. EegClasses.VoteColumns], File.ReadLines(submission).First().Split(','));
    }

    [Fact]
    public void PredictOneSpectrogramPrintsSixProbabilities()
    {
        var spectrogram = Directory.EnumerateFiles(Path.Combine(_run.Data, "test_spectrograms"), "*.parquet").First();
        var (exit, output, error) = Hbac.Run("predict", "--model", Path.Combine(_run.RunFolder, "model.onnx"), "--spectrogram", spectrogram);
        Assert.True(exit == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(EegClasses.VoteColumns, lines.Select(l => l.Split(' ')[0]));
        Assert.Equal(1.0, lines.Sum(l => double.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture)), 4);
    }

    [Fact]
    public void CompareDrawsBothRunsAndPrintsATable()
    {
        var png = Path.Combine(_run.Folder, "compare.png");
        var (exit, output, error) = Hbac.Run("compare", _run.RunFolder, _run.RunFolder, "--out", png);
        Assert.True(exit == 0, error);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(png)[..4]);
        var card = ModelCard.Load(Path.Combine(_run.RunFolder, RunFolderLayout.Card));
        var ece = card.Calibration!.Classwise.ExpectedError.ToString("F4", CultureInfo.InvariantCulture);
        Assert.Matches($@"classwise ECE \(votes\)\s*│\s*{ece}\s*│\s*{ece}", output);
        // One validation patient: no interval to show.
        Assert.Matches(@"KL 95% CI \(patients\)\s*│\s*-\s*│\s*-\s*│", output);

        // A card with an interval (a fold of enough patients), read back through card.json.
        var other = Path.Combine(_run.Folder, "iv");
        Directory.CreateDirectory(other);
        (card with { ValidationKlInterval = new BootstrapInterval(0.5961, 0.40071, 0.78061, 0.95, 2000, 7) }).Save(Path.Combine(other, RunFolderLayout.Card));
        (exit, output, error) = Hbac.Run("compare", _run.RunFolder, other, "--out", Path.Combine(_run.Folder, "compare2.png"));
        Assert.True(exit == 0, error);
        Assert.Matches(@"KL 95% CI \(patients\)\s*│\s*-\s*│\s*0\.4007-0\.7806 \(7\)\s*│", output);
    }

    [Theory]
    [InlineData("--model", "resnet50", "hbac: --model: unknown model 'resnet50' (known: mobilenetv3, efficientnetv2b2)")]
    [InlineData("--profile", "slow", "hbac: --profile: unknown profile 'slow' (known: seed, quick)")]
    [InlineData("--labels", "hard", "hbac: --labels: unknown value 'hard' (expected votes, consensus or pooled)")]
    [InlineData("--fold", "5", "hbac: --fold: must be in 0..4 (got 5)")]
    [InlineData("--input", "video", "hbac: --input: 'video' is not an input kind (spectrogram | eeg)")]
    [InlineData("--weight-decay", "-0.5", "hbac: --weight-decay: must be a number >= 0 (got -0.5)")]
    public void BadTrainArgumentsAreOneLine(string option, string value, string expected)
    {
        var args = new List<string> { "train", "--data", _run.Data, "--model", "mobilenetv3", "--out", Path.Combine(_run.Folder, "bad") };
        var at = args.IndexOf(option);
        if (at >= 0)
        {
            args[at + 1] = value;
        }
        else
        {
            args.AddRange([option, value]);
        }
        var (exit, _, error) = Hbac.Run([.. args]);
        Assert.Equal(2, exit);
        Assert.Equal(expected, error.TrimEnd());
    }

    [Fact]
    public void CorruptWeightsAreOneLine()
    {
        var weights = Path.Combine(_run.Folder, "corrupt.dat");
        File.WriteAllBytes(weights, [0, 1, 2, 3]);
        var (exit, _, error) = Hbac.Run("train", "--data", _run.Data, "--model", "mobilenetv3", "--profile", "quick",
            "--weights", weights, "--out", Path.Combine(_run.Folder, "bad"));
        Assert.Equal(2, exit);
        Assert.StartsWith($"hbac: {weights}: not TorchSharp weights", error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void EmptyTrainCsvIsOneLine()
    {
        var empty = Path.Combine(_run.Folder, "empty");
        Directory.CreateDirectory(Path.Combine(empty, "train_spectrograms"));
        File.WriteAllText(Path.Combine(empty, "train.csv"), File.ReadLines(Path.Combine(_run.Data, "train.csv")).First() + "\n");
        var (exit, _, error) = Hbac.Run("train", "--data", empty, "--model", "mobilenetv3", "--out", Path.Combine(_run.Folder, "bad"));
        Assert.Equal(2, exit);
        Assert.Equal($"hbac: {Path.Combine(empty, "train.csv")}: no labelled rows to train on", error.TrimEnd());
    }
}

/// <summary>Runs <c>hbac</c> in process with stdout/stderr captured.</summary>
internal static class Hbac
{
    public static (int Exit, string Out, string Error) Run(params string[] args)
    {
        var root = new RootCommand("hbac");
        foreach (var command in HbacCommands.All())
        {
            root.Subcommands.Add(command);
        }
        var (oldOut, oldError) = (Console.Out, Console.Error);
        using var output = new StringWriter();
        using var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var exit = root.Parse(args).InvokeAsync().GetAwaiter().GetResult();
            return (exit, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }
}

[CollectionDefinition("Console", DisableParallelization = true)]
public sealed class ConsoleCollection;
