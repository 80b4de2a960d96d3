using Hbac.Learning;
using Hbac.Learning.Models;
using Hbac.Learning.Onnx;
using Hbac.Onnx;
using TorchSharp;

namespace Hbac.Cli.Tests.Benchmarks;

/// <summary>What `hbac bench load` says about the model it measured, read back from exported files.</summary>
public sealed class OnnxModelSummaryTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("hbac-onnx-summary-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Theory]
    [InlineData(1, null, "[N,3,400,300]", "1")]
    [InlineData(8, null, "[N,3,50,37]", "8")]
    [InlineData(5, 6, "[N,3,80,50]", "5x6")]
    public void AnExportedMobileNetIsDescribedWithItsResolutionAndParameters(int downsample, int? columns, string seen, string text)
    {
        var path = Path.Combine(_folder.FullName, $"m{downsample}x{columns}.onnx");
        torch.manual_seed(0);
        using (var model = ModelCatalog.Create(MobileNetV3Large.CatalogId, options: new ModelOptions { InputDownsample = downsample, InputDownsampleColumns = columns }))
        {
            OnnxExporter.Export(model, path);
        }

        var summary = OnnxModelSummary.Read(path);

        Assert.Equal("mobilenetv3", summary.ModelName);
        Assert.Equal(["N", "3", "400", "300"], summary.InputShape);
        Assert.Equal(downsample, summary.InputDownsample);
        Assert.Equal(columns ?? downsample, summary.InputDownsampleColumns);
        Assert.Equal(text, summary.DownsampleText);
        Assert.Equal(seen, summary.EffectiveInputShape);
        // The counts `hbac params` prints for MobileNetV3-Large with 6 classes.
        Assert.Equal(2_977_718, summary.Parameters);
        Assert.Equal(24_400, summary.NormStatistics);
    }

    [Fact]
    public void AFileThatIsNotOnnxIsOneLineNamingIt()
    {
        var path = Path.Combine(_folder.FullName, "bad.onnx");
        File.WriteAllBytes(path, [0xff, 0xff, 0xff, 0x07]);

        var error = Assert.Throws<ModelFileException>(() => OnnxModelSummary.Read(path));

        Assert.StartsWith($"{path}: not an ONNX model", error.Message);
    }
}
