using System.Text.Json;
using Hbac.Inference.Tests.Support;

namespace Hbac.Cli.Tests.Commands;

/// <summary>
/// Runs the built <c>hbac synth --recordings</c> and <c>hbac report</c> as a user would, with a tiny
/// hand-written EEG-window model (its answers are not meant to be right: the chain from file to report is
/// what is checked; the quick model's event scores are measured by the command and stated in the README).
/// </summary>
public sealed class ReportCommandTests : IDisposable
{
    private readonly TempFolder _root = new();

    public void Dispose() => _root.Dispose();

    private string EegModel()
    {
        var path = _root.File("eeg.onnx");
        TinyOnnxModel.EegFavouring(0, pooling: "GlobalMaxPool").Save(path);
        return path;
    }

    [Fact]
    public void ASyntheticRecordingGivesATimelineAJsonAPictureAndSzCoreScores()
    {
        var data = _root.File("long");
        var synth = HbacProcess.Run("synth", "--recordings", "1", "--hours", "0.1", "--out", data, "--seed", "3");
        Assert.Equal(0, synth.ExitCode);
        var edf = Path.Combine(data, "long_001.edf");
        var truth = Path.Combine(data, "long_001.truth.csv");
        Assert.Contains($"{edf}: 0.1 h EDF+C", synth.Stdout);

        var output = _root.File("report");
        var run = HbacProcess.Run("report", edf, "--model", EegModel(), "--out", output, "--truth", truth);
        Assert.Equal(0, run.ExitCode);
        // 360 s: windows end at 50, 60, ..., 360 s, so 32 segments from 20-30 s to 330-340 s.
        Assert.Contains($"{edf}: 0:06:00 EDF+C at 200 Hz, 19 of 19 electrodes mapped + EKG, streamed from disk; 32 segments (10-s step), 0 not scored", run.Stdout);
        Assert.Contains("SzCORE vs long_001.truth.csv: sensitivity", run.Stdout);

        var timeline = File.ReadAllLines(Path.Combine(output, "timeline.csv"));
        Assert.Equal("start_seconds,end_seconds,seizure,lpd,gpd,lrda,grda,other,top_class,quality,bad_electrodes", timeline[0]);
        Assert.Equal(33, timeline.Length);
        Assert.StartsWith("20,30,", timeline[1]);
        Assert.StartsWith("330,340,", timeline[^1]);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json")));
        var report = json.RootElement;
        Assert.Equal(360, report.GetProperty("recording").GetProperty("duration_seconds").GetDouble());
        Assert.Equal(20, report.GetProperty("recording").GetProperty("electrodes_mapped").EnumerateObject().Count());
        Assert.Equal(32, report.GetProperty("seizure_burden").GetProperty("trailing_5min").GetProperty("series").GetArrayLength());
        Assert.Equal(2, report.GetProperty("status_epilepticus").GetArrayLength());
        Assert.Equal(0.5, report.GetProperty("event_detection").GetProperty("on_threshold").GetDouble());
        var trueSeizures = File.ReadAllLines(truth).Count(l => l.EndsWith(",Seizure", StringComparison.Ordinal));
        Assert.Equal(trueSeizures, report.GetProperty("szcore").GetProperty("reference_events").GetInt32());
        // The truth is in the EDF+ file as annotations too.
        Assert.Equal(File.ReadAllLines(truth).Length - 1, report.GetProperty("recording").GetProperty("annotations").GetArrayLength());
        Assert.True(new FileInfo(Path.Combine(output, "report.png")).Length > 10_000);
    }

    [Fact]
    public void ADiscontinuousEdfIsReportedOverItsWholeSpanWithTheGapNotScored()
    {
        var data = _root.File("long");
        Assert.Equal(0, HbacProcess.Run("synth", "--recordings", "1", "--hours", "0.1", "--out", data, "--seed", "3").ExitCode);
        var edf = Path.Combine(data, "long_001.edf");
        // The recording paused for 2 minutes after 200 s: records 201-360 start 120 s later.
        MakeDiscontinuous(edf, fromRecord: 200, shiftSeconds: 120);

        var output = _root.File("report");
        var run = HbacProcess.Run("report", edf, "--model", EegModel(), "--out", output);

        Assert.True(run.ExitCode == 0, run.Stderr);
        // 480 s: windows end at 50, 60, ..., 480 s, so 44 segments; the 12 inside the gap are not scored.
        Assert.Contains($"{edf}: 0:08:00 EDF+D at 200 Hz, 19 of 19 electrodes mapped + EKG, streamed from disk; 44 segments (10-s step), 12 not scored", run.Stdout);
        var notScored = File.ReadAllLines(Path.Combine(output, "timeline.csv")).Skip(1)
            .Where(l => l.Split(',')[9] == "not_scored").Select(l => l.Split(',')[0]).ToList();
        Assert.Equal([.. Enumerable.Range(0, 12).Select(k => (200 + 10 * k).ToString(System.Globalization.CultureInfo.InvariantCulture))], notScored);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json")));
        var recording = json.RootElement.GetProperty("recording");
        Assert.Equal(480, recording.GetProperty("duration_seconds").GetDouble());
        var gap = Assert.Single(recording.GetProperty("gaps").EnumerateArray());
        Assert.Equal(200, gap.GetProperty("start_seconds").GetDouble());
        Assert.Equal(120, gap.GetProperty("seconds").GetDouble());

        // inspect says where the missing samples come from: 120 s of 20 signals at 200 Hz.
        var inspect = HbacProcess.Run("inspect", edf);
        Assert.True(inspect.ExitCode == 0, inspect.Stderr);
        using var described = JsonDocument.Parse(inspect.Stdout);
        Assert.Equal("EDF+D", described.RootElement.GetProperty("variant").GetString());
        Assert.Equal(120 * 200 * 20, described.RootElement.GetProperty("nan_count").GetInt64());
        Assert.Equal(200, Assert.Single(described.RootElement.GetProperty("gaps").EnumerateArray()).GetProperty("start_s").GetDouble());
    }

    [Fact]
    public void A256HzRecordingIsStreamedAndReportedAsItsTwinAt200Hz()
    {
        var at200 = _root.File("at200");
        var at256 = _root.File("at256");
        Assert.Equal(0, HbacProcess.Run("synth", "--recordings", "1", "--hours", "0.1", "--out", at200, "--seed", "3").ExitCode);
        Assert.Equal(0, HbacProcess.Run("synth", "--recordings", "1", "--hours", "0.1", "--out", at256, "--seed", "3", "--rate", "256").ExitCode);
        var edf = Path.Combine(at256, "long_001.edf");
        Assert.Equal(File.ReadAllText(Path.Combine(at200, "long_001.truth.csv")), File.ReadAllText(Path.Combine(at256, "long_001.truth.csv")));
        using (var described = JsonDocument.Parse(HbacProcess.Run("inspect", edf).Stdout))
        {
            Assert.Equal(256, described.RootElement.GetProperty("sample_rate_hz").GetDouble());
            Assert.Equal(360 * 256, described.RootElement.GetProperty("rows").GetInt32());
        }

        var model = EegModel();
        var run = HbacProcess.Run("report", edf, "--model", model, "--out", _root.File("r256"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"{edf}: 0:06:00 EDF+C at 256 Hz, 19 of 19 electrodes mapped + EKG, streamed from disk; 32 segments (10-s step)", run.Stdout);
        Assert.Equal(0, HbacProcess.Run("report", Path.Combine(at200, "long_001.edf"), "--model", model, "--out", _root.File("r200")).ExitCode);
        // 200 -> 256 -> 200 Hz keeps everything under 90 Hz: the same classes, nearly the same probabilities.
        var a = File.ReadAllLines(_root.File("r200/timeline.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var b = File.ReadAllLines(_root.File("r256/timeline.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(a.Select(r => r[0]), b.Select(r => r[0]));
        var worst = a.Zip(b, (x, y) => Enumerable.Range(2, 6).Max(c => Math.Abs(double.Parse(x[c], System.Globalization.CultureInfo.InvariantCulture) - double.Parse(y[c], System.Globalization.CultureInfo.InvariantCulture)))).Max();
        Assert.True(worst <= 0.01, $"probabilities differ by up to {worst}");
        Assert.Equal(a.Select(r => r[8] + r[9]), b.Select(r => r[8] + r[9]));   // top class and quality
    }

    [Fact]
    public void ABipolarEdfIsReportedFromItsChainsAsItsReferentialOriginalIs()
    {
        var data = _root.File("long");
        Assert.Equal(0, HbacProcess.Run("synth", "--recordings", "1", "--hours", "0.1", "--out", data, "--seed", "3").ExitCode);
        var referential = Path.Combine(data, "long_001.edf");
        var bipolar = _root.File("chb.edf");
        WriteBipolar(referential, bipolar);

        var model = EegModel();
        var fromReferential = HbacProcess.Run("report", referential, "--model", model, "--out", _root.File("referential"));
        var fromBipolar = HbacProcess.Run("report", bipolar, "--model", model, "--out", _root.File("bipolar"));
        Assert.True(fromBipolar.ExitCode == 0, fromBipolar.Stderr);
        Assert.Contains($"{bipolar}: 0:06:00 EDF+C at 200 Hz, 16 double-banana chains mapped from bipolar derivations + EKG, streamed from disk; 32 segments", fromBipolar.Stdout);
        using (var json = JsonDocument.Parse(File.ReadAllText(_root.File("bipolar/report.json"))))
        {
            var recording = json.RootElement.GetProperty("recording");
            Assert.Equal("bipolar", recording.GetProperty("montage").GetString());
            Assert.Equal("FP1-F7", recording.GetProperty("electrodes_mapped").GetProperty("Fp1-F7").GetString());
            Assert.Equal("T8-P8", recording.GetProperty("electrodes_mapped").GetProperty("T4-T6").GetString());
        }
        // The same chains, so the same probabilities where the signal is clean (16-bit rounding aside); quality is
        // judged per chain in the bipolar file and per electrode in the referential one, so the flags may differ.
        var a = File.ReadAllLines(_root.File("referential/timeline.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var b = File.ReadAllLines(_root.File("bipolar/timeline.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(a.Select(r => r[0]), b.Select(r => r[0]));
        var clean = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (a[i][9] == "ok" && b[i][9] == "ok")
            {
                clean++;
                for (var c = 2; c < 8; c++)
                {
                    Assert.Equal(double.Parse(a[i][c], System.Globalization.CultureInfo.InvariantCulture), double.Parse(b[i][c], System.Globalization.CultureInfo.InvariantCulture), 0.02);
                }
            }
        }
        Assert.True(clean >= 10, $"{clean} segments clean in both");

        var inspect = HbacProcess.Run("inspect", bipolar);
        Assert.True(inspect.ExitCode == 0, inspect.Stderr);
        using var described = JsonDocument.Parse(inspect.Stdout);
        Assert.Equal("bipolar", described.RootElement.GetProperty("montage").GetString());
        Assert.Equal(16, described.RootElement.GetProperty("bipolar_chains_found").GetArrayLength());
    }

    /// <summary>The 16 chains of a referential EDF (and its EKG) as CHB-MIT labels them, in a new EDF+C.</summary>
    private static void WriteBipolar(string referentialPath, string path)
    {
        using var recording = Eeg.Formats.ChunkedRecording.Open(referentialPath);
        var columns = recording.Chunks(60).ToList();
        int Column(string label) => Eeg.Montage.KaggleMontage.ColumnIndex(Eeg.Montage.ElectrodeNames.Canonical(label)!);
        string[] labels =
        [
            "FP1-F7", "F7-T7", "T7-P7", "P7-O1", "FP1-F3", "F3-C3", "C3-P3", "P3-O1",
            "FP2-F4", "F4-C4", "C4-P4", "P4-O2", "FP2-F8", "F8-T8", "T8-P8", "P8-O2", "FZ-CZ", "CZ-PZ", "ECG",
        ];
        using var writer = new Eeg.Formats.Edf.EdfPlusWriter(path, labels, 200, -3276.7, 3276.7, (int)recording.DurationSeconds, [], DateTime.UnixEpoch);
        foreach (var chunk in columns)
        {
            writer.Write([.. labels.Select(label => label == "ECG"
                ? chunk[Column("EKG")]
                : chunk[Column(label.Split('-')[0])].Zip(chunk[Column(label.Split('-')[1])], (x, y) => x - y).ToArray())]);
        }
    }

    /// <summary>
    /// Turns an EDF+C file of <c>hbac synth</c> (1-s records, annotations last, time-keeping TAL "+r") into an
    /// EDF+D whose records from <paramref name="fromRecord"/> on start <paramref name="shiftSeconds"/> later.
    /// </summary>
    private static void MakeDiscontinuous(string path, int fromRecord, int shiftSeconds)
    {
        var bytes = File.ReadAllBytes(path);
        int Field(int at, int width) => int.Parse(System.Text.Encoding.ASCII.GetString(bytes, at, width).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var signals = Field(252, 4);
        var headerBytes = Field(184, 8);
        var records = Field(236, 8);
        var samples = Enumerable.Range(0, signals).Select(i => Field(256 + signals * 216 + 8 * i, 8)).ToList();
        var recordBytes = samples.Sum() * 2;
        var annotationOffset = samples.Take(signals - 1).Sum() * 2;
        System.Text.Encoding.ASCII.GetBytes("EDF+D".PadRight(44)).CopyTo(bytes, 192);
        for (var r = fromRecord; r < records; r++)
        {
            var at = headerBytes + r * recordBytes + annotationOffset;
            var old = $"+{r}\u0014\u0014";
            Assert.Equal(old, System.Text.Encoding.ASCII.GetString(bytes, at, old.Length));
            var shifted = System.Text.Encoding.ASCII.GetBytes($"+{r + shiftSeconds}\u0014\u0014");
            Assert.Equal(old.Length, shifted.Length);
            shifted.CopyTo(bytes, at);
        }
        File.WriteAllBytes(path, bytes);
    }

    [Fact]
    public void ASpectrogramModelIsRefusedByName()
    {
        var model = _root.File("spectrogram.onnx");
        TinyOnnxModel.Favouring(0).Save(model);
        var recording = _root.File("missing.edf");
        File.WriteAllText(recording, "");
        var run = HbacProcess.Run("report", recording, "--model", model, "--out", _root.File("out"));
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.StderrLines, l => l.StartsWith("hbac: "));
        Assert.Equal($"hbac: --model: {model} reads spectrogram windows (hbac.input); a report needs an EEG-window model (train one with --input eeg)", line);
    }

    [Theory]
    [InlineData("--on", "NaN", "--on NaN / --off 0.3: need 0 < off <= on <= 1")]
    [InlineData("--off", "NaN", "--on 0.5 / --off NaN: need 0 < off <= on <= 1")]
    [InlineData("--off", "0", "--on 0.5 / --off 0: need 0 < off <= on <= 1")]
    [InlineData("--off", "-1", "--on 0.5 / --off -1: need 0 < off <= on <= 1")]
    [InlineData("--min-duration", "-1", "--min-duration: -1 must be a number of seconds >= 0")]
    [InlineData("--min-duration", "NaN", "--min-duration: NaN must be a number of seconds >= 0")]
    [InlineData("--merge-gap", "NaN", "--merge-gap: NaN must be a number of seconds >= 0")]
    public void EventParametersOutsideTheirRangeAreRefusedBeforeAnythingIsWritten(string option, string value, string message)
    {
        // Before this check NaN reached report.json's writer and crashed after timeline.csv was written.
        var recording = _root.File("any.edf");
        File.WriteAllText(recording, "");
        var output = _root.File($"out{option}{value}");
        var run = HbacProcess.Run("report", recording, "--model", EegModel(), "--out", output, option, value);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"hbac: {message}", Assert.Single(run.StderrLines, l => l.StartsWith("hbac: ")));
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void AFolderIsReportedWithItsSubfoldersAndOneBadFileDoesNotStopTheOthers()
    {
        var data = _root.File("tree");
        Assert.Equal(0, HbacProcess.Run("synth", "--recordings", "2", "--hours", "0.1", "--out", data, "--seed", "3").ExitCode);
        // A patient's subfolder with its truth beside it, and a broken file in another.
        var patient = Directory.CreateDirectory(Path.Combine(data, "p2", "s1")).FullName;
        File.Move(Path.Combine(data, "long_002.edf"), Path.Combine(patient, "long_002.edf"));
        File.Move(Path.Combine(data, "long_002.truth.csv"), Path.Combine(patient, "long_002.truth.csv"));
        Directory.CreateDirectory(Path.Combine(data, "bad"));
        File.WriteAllText(Path.Combine(data, "bad", "broken.edf"), "not an EDF file at all");

        var output = _root.File("reports");
        var run = HbacProcess.Run("report", data, "--model", EegModel(), "--out", output);

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        Assert.True(File.Exists(Path.Combine(output, "long_001", "timeline.csv")));
        Assert.True(File.Exists(Path.Combine(output, "p2", "s1", "long_002", "report.json")));
        Assert.Contains("SzCORE vs long_002.truth.csv: sensitivity", run.Stdout);
        Assert.Contains($"{Path.Combine(data, "bad", "broken.edf")}: not reported: ", run.Stdout);
        Assert.False(Directory.Exists(Path.Combine(output, "bad")));
        Assert.Contains("| 2 recordings, 0.2 h |", run.Stdout);
        Assert.Contains($"2 of 3 recordings reported into {output}", run.Stdout);
    }

    [Fact]
    public void RecordingsThatShareANameInOneFolderKeepTheirExtension()
    {
        var folders = Hbac.Cli.Commands.ReportCommand.ReportFolders("/d", ["/d/a.edf", "/d/a.parquet", "/d/b.edf", "/d/x/a.edf"], "/o");
        Assert.Equal("/o/a.edf", folders["/d/a.edf"]);
        Assert.Equal("/o/a.parquet", folders["/d/a.parquet"]);
        Assert.Equal("/o/b", folders["/d/b.edf"]);
        Assert.Equal("/o/x/a", folders["/d/x/a.edf"]);
    }

    [Fact]
    public void ABadFileGetsOneLineNamingIt()
    {
        var recording = _root.File("broken.edf");
        File.WriteAllText(recording, "not an EDF file at all");
        var run = HbacProcess.Run("report", recording, "--model", EegModel(), "--out", _root.File("out"));
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.StderrLines, l => l.StartsWith("hbac: "));
        Assert.StartsWith($"hbac: {recording}: not an EDF/BDF file", line);
    }

    [SharedDataFact]
    public void RealRecordingsGiveAReportOrAOneLineReason()
    {
        var model = EegModel();
        var physionet = HbacProcess.Run("report", SharedData.File("edf/physionet-eegmmidb/S001R03.edf"), "--model", model, "--out", _root.File("physionet"));
        Assert.Equal(0, physionet.ExitCode);
        Assert.Contains("EDF+C at 160 Hz, 19 of 19 electrodes mapped, streamed from disk; 8 segments", physionet.Stdout);
        using (var json = JsonDocument.Parse(File.ReadAllText(_root.File("physionet/report.json"))))
        {
            Assert.Equal(30, json.RootElement.GetProperty("recording").GetProperty("annotations").GetArrayLength());
        }

        var kaggle = HbacProcess.Run("report", SharedData.File("hms/test_eegs/3911565283.parquet"), "--model", model, "--out", _root.File("kaggle"));
        Assert.Equal(0, kaggle.ExitCode);
        Assert.Contains("1 segment (10-s step)", kaggle.Stdout);

        var generator = HbacProcess.Run("report", SharedData.File("edf/test_generator.edf"), "--model", model, "--out", _root.File("generator"));
        Assert.Equal(2, generator.ExitCode);
        Assert.Contains("too few montage electrodes: 16 of the 16 the double-banana chains need are missing", Assert.Single(generator.StderrLines, l => l.StartsWith("hbac: ")));
    }
}
