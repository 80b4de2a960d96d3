namespace Hbac.Cli.Tests.Commands;

/// <summary>Runs the built <c>hbac synth</c> as a user would.</summary>
public sealed class SynthCommandTests : IDisposable
{
    private readonly TempFolder _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void WritesAKaggleFolderAndSummarisesIt()
    {
        var folder = _root.File("data");
        var run = HbacProcess.Run("synth", "--out", folder, "--patients", "3", "--seed", "9");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"wrote {folder}: ", run.Stdout);
        Assert.Contains("best achievable KL", run.Stdout);
        foreach (var file in new[] { "train.csv", "test.csv", "truth.csv", "test_solution.csv", "synthetic.json" })
        {
            Assert.True(File.Exists(Path.Combine(folder, file)), file);
        }
        var trainRows = File.ReadAllLines(Path.Combine(folder, "train.csv")).Length - 1;
        Assert.Contains($": {trainRows} train rows", run.Stdout);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(folder, "train_eegs"), "*.parquet"));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(folder, "test_spectrograms"), "*.parquet"));
        Assert.Contains("\"seed\": 9", File.ReadAllText(Path.Combine(folder, "synthetic.json")));
    }

    [Fact]
    public void RefusesAForeignFolderWithOneLine()
    {
        var folder = _root.File("notes");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "keep me");
        var run = HbacProcess.Run("synth", "--out", folder);
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.StderrLines, l => l.StartsWith("hbac: "));
        Assert.StartsWith($"hbac: {folder}: is not empty", line);
        Assert.Contains("synthetic.json", line);
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(folder, "notes.txt")));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("20000")]
    public void RefusesAPatientCountOutOfRange(string patients)
    {
        var run = HbacProcess.Run("synth", "--out", _root.File("x"), "--patients", patients);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"--patients: {patients} is out of range", run.Stderr);
        Assert.False(Directory.Exists(_root.File("x")));
    }

    [Theory]
    [InlineData(new[] { "--rate", "256" }, "--rate: only with --recordings")]
    [InlineData(new[] { "--recordings", "1", "--rate", "50" }, "--rate: 50 Hz is out of range (100 to 4096)")]
    public void RefusesARateWithoutRecordingsOrOutOfRange(string[] arguments, string message)
    {
        var run = HbacProcess.Run(["synth", "--out", _root.File("x"), .. arguments]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Stderr);
        Assert.False(Directory.Exists(_root.File("x")));
    }

    [Fact]
    public void LongRecordingsTakeTheDocumentedDefaultSeed()
    {
        var implicitSeed = _root.File("implicit");
        var seed42 = _root.File("seed42");
        var seed7 = _root.File("seed7");
        Assert.Equal(0, HbacProcess.Run("synth", "--recordings", "1", "--hours", "0.5", "--out", implicitSeed).ExitCode);
        Assert.Equal(0, HbacProcess.Run("synth", "--recordings", "1", "--hours", "0.5", "--out", seed42, "--seed", "42").ExitCode);
        Assert.Equal(0, HbacProcess.Run("synth", "--recordings", "1", "--hours", "0.5", "--out", seed7, "--seed", "7").ExitCode);
        string Edf(string folder) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, "long_001.edf"))));
        Assert.Equal(Edf(seed42), Edf(implicitSeed));
        Assert.NotEqual(Edf(seed7), Edf(implicitSeed));
    }
}
