using Hbac.Learning;
using Hbac.Learning.Models;
using Hbac.Learning.Onnx;
using TorchSharp;

namespace Hbac.Cli.Tests.Benchmarks;

/// <summary>What `hbac bench load` says about the model it measured, read back from exported files.</summary>
public sealed class OnnxModelSummaryTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("hbac-onnx-summary-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Theory]
    [InlineData(1, "[N,3,400,300]")]
    [InlineData(8, "[N,3,50,37]")]
    public void AnExportedMobileNetIsDescribedWithItsResolutionAndParameters(int downsample, string seen)
    {
        var path = Path.Combine(_folder.FullName, $"m{downsample}.onnx");
        torch.manual_seed(0);
        using (var model = ModelCatalog.Create(MobileNetV3Large.CatalogId, options: new ModelOptions { InputDownsample = downsample }))
        {
            OnnxExporter.Export(model, path);
        }

        var summary = OnnxModelSummary.Read(path);

        Assert.Equal("mobilenetv3", summary.ModelName);
        Assert.Equal(["N", "3", "400", "300"], summary.InputShape);
        Assert.Equal(downsample, summary.InputDownsample);
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
