using System.Text.Json;

namespace Hbac.Cli.Tests;

public class InspectCommandTests
{
    private static JsonElement Inspect(string path)
    {
        var run = HbacProcess.Run("inspect", path);
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        return json.RootElement.Clone();
    }

    [SharedDataFact]
    public void DescribesTheTestSpectrogram()
    {
        var j = Inspect(SharedData.File("hms/test_spectrograms/853520.parquet"));
        Assert.Equal("spectrogram-parquet", j.GetProperty("kind").GetString());
        Assert.Equal(300, j.GetProperty("rows").GetInt32());
        Assert.Equal(401, j.GetProperty("columns").GetInt32());
        Assert.Equal("INT32", j.GetProperty("time_type").GetString());
        Assert.Equal(0, j.GetProperty("nan_count").GetInt32());
        Assert.Equal(1, j.GetProperty("time_first").GetDouble());
        Assert.Equal(599, j.GetProperty("time_last").GetDouble());
        Assert.Equal(600, j.GetProperty("duration_s").GetDouble());
    }

    [SharedDataFact]
    public void DescribesTheTrainSpectrogramWithItsNaNRows()
    {
        var j = Inspect(SharedData.File("hms/train_spectrograms/1000086677.parquet"));
        Assert.Equal("spectrogram-parquet", j.GetProperty("kind").GetString());
        Assert.Equal(300, j.GetProperty("rows").GetInt32());
        Assert.Equal("INT64", j.GetProperty("time_type").GetString());
        Assert.Equal(26 * 400, j.GetProperty("nan_count").GetInt32());
        Assert.Equal(26, j.GetProperty("all_nan_rows").GetInt32());
        Assert.Equal(1, j.GetProperty("time_first").GetDouble());
        Assert.Equal(599, j.GetProperty("time_last").GetDouble());
    }

    [SharedDataTheory]
    [InlineData("hms/test_eegs/3911565283.parquet")]
    [InlineData("hms/train_eegs/1000913311.parquet")]
    public void DescribesAKaggleEeg(string file)
    {
        var j = Inspect(SharedData.File(file));
        Assert.Equal("eeg-parquet", j.GetProperty("kind").GetString());
        Assert.Equal(10_000, j.GetProperty("rows").GetInt32());
        Assert.Equal(20, j.GetProperty("columns").GetInt32());
        Assert.Equal(200, j.GetProperty("sample_rate_hz").GetDouble());
        Assert.Equal(50, j.GetProperty("duration_s").GetDouble());
        Assert.Equal(19, j.GetProperty("montage_channels_found").GetArrayLength());
        Assert.Equal(0, j.GetProperty("nan_count").GetInt32());
        Assert.Equal(
            ["Fp1", "F3", "C3", "P3", "F7", "T3", "T5", "O1", "Fz", "Cz", "Pz", "Fp2", "F4", "C4", "P4", "F8", "T4", "T6", "O2", "EKG"],
            j.GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
    }

    [SharedDataFact]
    public void DescribesTheTrainLabels()
    {
        var j = Inspect(SharedData.File("hms/train_labels_subset.csv"));
        Assert.Equal("labels-csv", j.GetProperty("kind").GetString());
        Assert.Equal("train", j.GetProperty("format").GetString());
        Assert.Equal(5_939, j.GetProperty("rows").GetInt32());
        Assert.Equal(18, j.GetProperty("columns").GetInt32());
        Assert.Equal(1_063, j.GetProperty("patients").GetInt32());
        Assert.Equal(3_050, j.GetProperty("expert_consensus").GetProperty("Other").GetInt32());
    }

    [SharedDataTheory]
    [InlineData("hms/test.csv", "test", 3)]
    [InlineData("hms/sample_submission.csv", "submission", 7)]
    public void DescribesTheTestListingAndSubmission(string file, string format, int columns)
    {
        var j = Inspect(SharedData.File(file));
        Assert.Equal("labels-csv", j.GetProperty("kind").GetString());
        Assert.Equal(format, j.GetProperty("format").GetString());
        Assert.Equal(1, j.GetProperty("rows").GetInt32());
        Assert.Equal(columns, j.GetProperty("columns").GetInt32());
    }

    [Theory]
    [InlineData("fake.parquet", "not parquet at all\n", "not a readable parquet file")]
    [InlineData("empty.parquet", "", "empty file, expected a parquet file")]
    [InlineData("rec.edf", "0       ", "not an EDF/BDF file")]
    [InlineData("rec.xyz", "abc", "unknown file kind '.xyz'")]
    [InlineData("rec.npy", "abc", "not a .npy file (missing the \\x93NUMPY magic)")]
    [InlineData("other.csv", "a,b\n1,2\n", "not a Kaggle labels CSV")]
    public void BadInputIsOneLineNamingTheFileAndExitCode2(string name, string content, string problem)
    {
        using var dir = new TempFolder();
        var path = dir.File(name);
        File.WriteAllText(path, content);
        var run = HbacProcess.Run("inspect", path);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Stdout);
        var line = Assert.Single(run.StderrLines);
        Assert.StartsWith($"hbac: {path}: {problem}", line);
    }

    [SharedDataTheory]
    [InlineData("edf/physionet-eegmmidb/S001R03.edf", "edf", "EDF+C", 64, 160, 125, 30)]
    [InlineData("edf/test_utf8.edf", "edf", "EDF+C", 1, 128, 698, 5)]
    [InlineData("edf/test_generator_datarec_generator_2.bdf", "bdf", "BDF+C", 5, 500, 30, 0)]
    public void DescribesEdfAndBdfRecordings(string file, string kind, string variant, int columns, double rate, double duration, int annotations)
    {
        var j = Inspect(SharedData.File(file));
        Assert.Equal(kind, j.GetProperty("kind").GetString());
        Assert.Equal(variant, j.GetProperty("variant").GetString());
        Assert.Equal(columns, j.GetProperty("columns").GetInt32());
        Assert.Equal(rate, j.GetProperty("sample_rate_hz").GetDouble());
        Assert.Equal(duration, j.GetProperty("duration_s").GetDouble());
        Assert.Equal(annotations, j.GetProperty("annotations").GetInt32());
        Assert.Equal(columns, j.GetProperty("channels").GetArrayLength());
    }

    [SharedDataFact]
    public void DescribesASpectrogramConvertWroteAsNpy()
    {
        using var dir = new TempFolder();
        var npy = dir.File("1000086677.npy");
        var convert = HbacProcess.Run("convert", SharedData.File("hms/train_spectrograms/1000086677.parquet"), "--out", npy);
        Assert.True(convert.ExitCode == 0, convert.Stderr);

        var j = Inspect(npy);

        Assert.Equal("npy", j.GetProperty("kind").GetString());
        Assert.Equal("<f4", j.GetProperty("dtype").GetString());
        Assert.False(j.GetProperty("fortran_order").GetBoolean());
        Assert.Equal([400, 300], j.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
        // convert writes NaN as 0: the 26 all-NaN columns are zeros.
        Assert.Equal(0, j.GetProperty("nan_count").GetInt32());
        Assert.Equal(0, j.GetProperty("min").GetDouble());
        Assert.Equal("spectrogram", j.GetProperty("layout").GetString());
        Assert.Equal(600, j.GetProperty("duration_s").GetDouble());
    }

    [Fact]
    public void DescribesAnyFloatNpyWithItsNaNsAndRange()
    {
        using var dir = new TempFolder();
        var npy = dir.File("a.npy");
        Hbac.Eeg.Formats.Npy.NpyWriter.Write(npy, [1.5f, float.NaN, -2f, 4f, 0f, 3f], [2, 3]);

        var j = Inspect(npy);

        Assert.Equal([2, 3], j.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
        Assert.Equal(6, j.GetProperty("elements").GetInt32());
        Assert.Equal(1, j.GetProperty("nan_count").GetInt32());
        Assert.Equal(-2, j.GetProperty("min").GetDouble());
        Assert.Equal(4, j.GetProperty("max").GetDouble());
        Assert.False(j.TryGetProperty("layout", out _));
    }

    [SharedDataFact]
    public void ATruncatedParquetIsOneLineNamingIt()
    {
        using var dir = new TempFolder();
        var path = dir.File("cut.parquet");
        var bytes = File.ReadAllBytes(SharedData.File("hms/test_eegs/3911565283.parquet"));
        File.WriteAllBytes(path, bytes[..^100]);
        var run = HbacProcess.Run("inspect", path);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"hbac: {path}: not a readable parquet file", Assert.Single(run.StderrLines));
    }
}
