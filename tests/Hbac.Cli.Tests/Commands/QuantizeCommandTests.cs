namespace Hbac.Cli.Tests.Commands;

/// <summary>hbac quantize's one-line refusals; the quantization itself is tested in Hbac.Onnx.Tests and Hbac.Learning.Tests.</summary>
public sealed class QuantizeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hbac-quantize-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AMissingModelIsOneLineNamingTheFile()
    {
        var model = Path.Combine(_dir, "missing.onnx");
        var output = Path.Combine(_dir, "out.int8.onnx");

        var run = HbacProcess.Run("quantize", "--model", model, "--data", _dir, "--out", output);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal([$"hbac: {model}: model file not found"], run.StderrLines);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void ACorruptModelIsOneLineNamingTheFile()
    {
        var model = Path.Combine(_dir, "corrupt.onnx");
        File.WriteAllBytes(model, [0xff, 0xff, 0xff, 0xff, 0x0f]);

        var run = HbacProcess.Run("quantize", "--model", model, "--data", _dir, "--out", Path.Combine(_dir, "out.onnx"));

        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.StartsWith($"hbac: {model}: not a loadable ONNX model", line);
    }

    [Theory]
    [InlineData("--fold", "7", "hbac: --fold: must be in 0..4 (got 7)")]
    [InlineData("--calibration-windows", "0", "hbac: --calibration-windows: must be at least 1 (got 0)")]
    public void BadValuesAreOneLine(string option, string value, string expected)
    {
        var run = HbacProcess.Run("quantize", "--model", Path.Combine(_dir, "m.onnx"), "--data", _dir, "--out", Path.Combine(_dir, "o.onnx"), option, value);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal([expected], run.StderrLines);
    }
}
