using Hbac.Eeg.Formats.Npy;
using Hbac.Eeg.Montage;
using Hbac.Eeg.Tests.Edf;
using Hbac.Eeg.Tests.Hardening;
using Hbac.Inference.Tests.Support;

namespace Hbac.Cli.Tests;

/// <summary>
/// Issue 12 through the real <c>hbac</c>: bad input gives exit 2 and one line on stderr naming the file,
/// never a stack trace, a hang, or exit 0 with wrong output (classes 1, 2, 4, 5, 7, 8, 9).
/// </summary>
public class BadInputContractTests
{
    private const string VoteHeader = "eeg_id,seizure_vote,lpd_vote,gpd_vote,lrda_vote,grda_vote,other_vote";

    private static void RefusedNaming(HbacRun run, string file, string? contains = null)
    {
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Stderr}");
        var line = Assert.Single(run.StderrLines);
        Assert.StartsWith($"hbac: {file}", line);
        if (contains is not null)
        {
            Assert.Contains(contains, line);
        }
    }

    [Fact]
    public void InspectAndConvertRefuseASpectrogramDeclaringMoreRowsThanItHolds()
    {
        using var dir = new TempFolder();
        var surgery = new ParquetSurgery(HardeningFiles.Spectrogram(columns: 6));
        surgery.RowGroup(0).Set(ParquetSurgery.RowGroupRowsField, 7);
        var path = HardeningFiles.Save(dir, "bad.parquet", surgery.ToBytes());
        RefusedNaming(HbacProcess.Run("inspect", path), path, "declares 6 values for 7 rows");
        RefusedNaming(HbacProcess.Run("convert", path, "--out", dir.File("out")), path, "declares 6 values for 7 rows");
        Assert.False(File.Exists(dir.File("out/bad.npy")));
    }

    [Fact]
    public void ConvertRefusesASpectrogramWithAnInfinitePowerAndWritesNothing()
    {
        using var dir = new TempFolder();
        var values = Enumerable.Repeat(2f, 400 * 5).ToArray();
        values[3 * 5 + 2] = float.PositiveInfinity;
        var path = dir.File("inf.parquet");
        Hbac.Eeg.Formats.Parquet.SpectrogramParquetWriter.Write(path, new Hbac.Eeg.Spectrograms.Spectrogram(values, [1f, 3f, 5f, 7f, 9f]));
        RefusedNaming(HbacProcess.Run("convert", path, "--out", dir.File("out.npy")), path, "+Inf at row 3, column 2");
        Assert.False(File.Exists(dir.File("out.npy")));
    }

    [Theory]
    [InlineData("Infinity", "--offset")]
    [InlineData("NaN", "--offset")]
    [InlineData("1e20", "s.npy")]
    public void PredictRefusesOffsetsThatAreNotInTheSpectrogram(string offset, string named)
    {
        using var dir = new TempFolder();
        var model = dir.File("model.onnx");
        TinyOnnxModel.Favouring(0).Save(model);
        var spectrogram = dir.File("s.npy");
        NpyWriter.Write(spectrogram, Enumerable.Repeat(1f, 400 * 30).ToArray(), [400, 30]);
        var run = HbacProcess.Run("predict", "--model", model, "--spectrogram", spectrogram, "--offset", offset);
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        Assert.Contains(named, Assert.Single(run.StderrLines));
        Assert.Empty(run.Stdout);
    }

    [Theory]
    [InlineData("1e9", "ends after the recording (60 s)")]
    [InlineData("1e300", "ends after the recording (60 s)")]
    [InlineData("11", "ends after the recording (60 s)")]
    [InlineData("NaN", "--offset")]
    public void PredictRefusesEegOffsetsThatAreNotInTheRecording(string offset, string contains)
    {
        using var dir = new TempFolder();
        var model = dir.File("model.onnx");
        TinyOnnxModel.EegFavouring(2).Save(model);
        var eeg = dir.File("e.parquet");
        var samples = KaggleMontage.Columns.Select(_ => new float[60 * 200]).ToArray();
        Hbac.Eeg.Formats.Parquet.EegParquetWriter.Write(eeg, new EegRecording(KaggleMontage.Columns, samples, 200));
        var run = HbacProcess.Run("predict", "--model", model, "--eeg", eeg, "--offset", offset);
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        Assert.Contains(contains, Assert.Single(run.StderrLines));
        Assert.Empty(run.Stdout);
    }

    [Theory]
    [InlineData("spectrogram", "test_spectrograms")]
    [InlineData("eeg", "test_eegs")]
    public void PredictNamesTheInputFolderATestSetLacks(string kind, string folder)
    {
        using var dir = new TempFolder();
        var model = dir.File("model.onnx");
        (kind == "eeg" ? TinyOnnxModel.EegFavouring(2) : TinyOnnxModel.Favouring(0)).Save(model);
        var data = Directory.CreateDirectory(dir.File("data")).FullName;
        File.WriteAllText(Path.Combine(data, "test.csv"), "spectrogram_id,eeg_id,patient_id\n853520,3911565283,6885\n");
        var run = HbacProcess.Run("predict", "--model", model, "--data", data, "--out", dir.File("submission.csv"));
        RefusedNaming(run, Path.Combine(data, folder), $"folder not found (a {kind} model scores test.csv's rows from {folder}/)");
        Assert.False(File.Exists(dir.File("submission.csv")));
    }

    [Theory]
    [InlineData("report|x|--step|0.5|--out|o", "hbac: Cannot parse argument '0.5' for option '--step' as expected type 'System.Int32'. (hbac report --help lists the options)")]
    [InlineData("bench|load|--streams", "hbac: Required argument missing for option: '--streams'. (hbac bench load --help lists the options)")]
    [InlineData("score|--server|http://127.0.0.1:1", "hbac: Option '--spectrogram' is required. (hbac score --help lists the options)")]
    public void AMistypedCommandLineIsOneLinePerProblemAndExit2(string arguments, string line)
    {
        // Not System.CommandLine's default: the whole help text on stdout and exit 1.
        var run = HbacProcess.Run(arguments.Split('|'));
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        Assert.Equal(line, Assert.Single(run.StderrLines));
        Assert.Empty(run.Stdout);
    }

    [Theory]
    [InlineData("predict|--model|m.onnx|--data|d|--out|{folder}", "predict", "--out")]
    [InlineData("quantize|--model|m.onnx|--data|d|--out|{folder}", "quantize", "--out")]
    [InlineData("spectrogram|r.edf|--out|{folder}", "spectrogram", "--out")]
    [InlineData("folds|train.csv|--out|{folder}", "folds", "--out")]
    [InlineData("evaluate|--model|m.onnx|--data|d|--rows|{folder}", "evaluate", "--rows")]
    [InlineData("bench|onnx|--out|{folder}", "bench onnx", "--out")]
    public void AnOutputFileThatIsAFolderIsRefusedBeforeAnyWork(string arguments, string command, string option)
    {
        // It used to run to the end and then fail with "Access to the path ... is denied" or "Is a directory".
        using var dir = new TempFolder();
        var run = HbacProcess.Run(arguments.Replace("{folder}", dir.Path, StringComparison.Ordinal).Split('|'));
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        Assert.Equal($"hbac: {option} '{dir.Path}' is a folder; give the path of the file to write (hbac {command} --help lists the options)",
            Assert.Single(run.StderrLines));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void HbacAloneAndHelpStillPrintTheHelp()
    {
        foreach (var arguments in new[] { Array.Empty<string>(), ["--help"], ["report", "--help"] })
        {
            var run = HbacProcess.Run(arguments);
            Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Stderr}");
            Assert.Contains("Usage:", run.Stdout);
        }
    }

    [Theory]
    [InlineData("zero-columns")]
    [InlineData("all-nan")]
    [InlineData("all-inf")]
    public void PredictRefusesSpectrogramsWithNothingToScore(string kind)
    {
        using var dir = new TempFolder();
        var model = dir.File("model.onnx");
        TinyOnnxModel.Favouring(0).Save(model);
        var spectrogram = dir.File("s.npy");
        var columns = kind == "zero-columns" ? 0 : 30;
        NpyWriter.Write(spectrogram, Enumerable.Repeat(kind == "all-nan" ? float.NaN : float.PositiveInfinity, 400 * columns).ToArray(), [400, columns]);
        var run = HbacProcess.Run("predict", "--model", model, "--spectrogram", spectrogram);
        RefusedNaming(run, spectrogram);
        Assert.Empty(run.Stdout);
    }

    [Theory]
    [InlineData("-1e38", "1e38", 2)]
    [InlineData("-1e308", "1e308", 2)]
    [InlineData("-1e300", "1e300", 2)]
    [InlineData("-3200", "3200", 0)]
    public void SpectrogramOfAnEdfRefusesRecordsItCannotKeepFinite(string minimum, string maximum, int records)
    {
        using var dir = new TempFolder();
        var writer = new TestEdfWriter
        {
            Records = records,
            Signals = [.. KaggleMontage.Electrodes.Select(e => new TestEdfSignal
            {
                Label = e,
                SamplesPerRecord = 200,
                PhysicalMinimum = minimum,
                PhysicalMaximum = maximum,
                Digital = new int[200 * records],
            })],
        };
        var edf = writer.WriteTo(dir.Path, "r.edf");
        var run = HbacProcess.Run("spectrogram", edf, "--out", dir.File("r.npy"));
        RefusedNaming(run, edf, records == 0 ? "no data records" : "physical range");
        Assert.False(File.Exists(dir.File("r.npy")));
    }

    [Fact]
    public void AnElectrodeLabelWithLineBreaksGivesOneLine()
    {
        using var dir = new TempFolder();
        var writer = new TestEdfWriter { Records = 1, Signals = [TestEdfSignal.Constant("Fp1\nhbac: fine\r\n", 200, 1)] };
        var edf = writer.WriteTo(dir.Path, "r.edf");
        RefusedNaming(HbacProcess.Run("spectrogram", edf, "--out", dir.File("r.npy")), edf, "Fp1\\nhbac: fine\\r\\n");
    }

    [Fact]
    public void KlRefusesASubmissionWhoseRowsAreNotDistributions()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("solution.csv"), $"{VoteHeader}\n7,1,1,0,0,0,0\n9,0,0,0,0,0,3\n");
        File.WriteAllText(dir.File("submission.csv"), $"{VoteHeader}\n7,0.5,0.5,0,0,0,0\n9,0.9,0.9,0.9,0.9,0.9,0.9\n");
        var run = HbacProcess.Run("kl", dir.File("solution.csv"), dir.File("submission.csv"));
        RefusedNaming(run, dir.File("submission.csv"), "row 2 (eeg_id 9): the six probabilities sum to 5.4, not 1");
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public void InspectDoesNotCallATrainCsvLackingAVoteColumnATestListing()
    {
        using var dir = new TempFolder();
        var header = "eeg_id,eeg_sub_id,eeg_label_offset_seconds,spectrogram_id,spectrogram_sub_id,spectrogram_label_offset_seconds,label_id,patient_id,expert_consensus,seizure_vote,lpd_vote,gpd_vote,lrda_vote,grda_vote";
        File.WriteAllText(dir.File("train.csv"), $"{header}\n1,0,0,2,0,0,3,4,Seizure,3,0,0,0,0\n");
        var run = HbacProcess.Run("inspect", dir.File("train.csv"));
        RefusedNaming(run, dir.File("train.csv"), "lacks 'other_vote'");
        Assert.DoesNotContain("\"test\"", run.Stdout);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("50")]
    public void FoldsErrorsAboutKNameTheFile(string k)
    {
        using var dir = new TempFolder();
        var header = "eeg_id,eeg_sub_id,eeg_label_offset_seconds,spectrogram_id,spectrogram_sub_id,spectrogram_label_offset_seconds,label_id,patient_id,expert_consensus,seizure_vote,lpd_vote,gpd_vote,lrda_vote,grda_vote,other_vote";
        File.WriteAllText(dir.File("train.csv"), $"{header}\n1,0,0,2,0,0,3,4,Seizure,3,0,0,0,0,0\n5,0,0,6,0,0,7,8,LPD,0,3,0,0,0,0\n");
        RefusedNaming(HbacProcess.Run("folds", dir.File("train.csv"), "--k", k, "--out", dir.File("f.csv")), dir.File("train.csv"), $"k = {k}");
    }

    [Fact]
    public void FoldsOfDevZeroEndsWithOneLine()
    {
        RefusedNaming(HbacProcess.Run("folds", "/dev/zero", "--out", "/tmp/never-written.csv"), "/dev/zero", "a record longer than");
    }
}
