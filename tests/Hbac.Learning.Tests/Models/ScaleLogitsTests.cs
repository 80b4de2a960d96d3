using Hbac.Learning.Models;
using Hbac.Learning.Onnx;
using Hbac.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Hbac.Learning.Tests.Models;

/// <summary>The softmax temperature folded into the classifier layer: torch and the exported model both see logits x factor.</summary>
[Collection("Torch")]
public sealed class ScaleLogitsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hbac-scale-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ScalingTheLogitsSharpensTheExportedProbabilitiesByExactlyThatFactor()
    {
        torch.manual_seed(11);
        using var model = ModelCatalog.Create("mobilenetv3", options: new ModelOptions { InputDownsample = 8 });
        using (no_grad())
        {
            // Spread the logits so a temperature visibly changes the probabilities (an untrained network's features are near zero).
            model.state_dict()["classifier.weight"].mul_(300);
            model.state_dict()["classifier.bias"].copy_(tensor(new float[] { 0.4f, -0.3f, 1.2f, 0f, -1f, 0.7f }));
        }
        model.eval();
        using var input = randn(2, 3, 400, 300);
        float[] before;
        using (no_grad())
        {
            before = model.call(input).data<float>().ToArray();
        }

        model.ScaleLogits(1 / 0.8);
        float[] after;
        using (no_grad())
        {
            after = model.call(input).data<float>().ToArray();
        }
        for (var i = 0; i < before.Length; i++)
        {
            Assert.Equal(before[i] / 0.8f, after[i], 3);
        }

        var path = Path.Combine(_dir, "scaled.onnx");
        OnnxExporter.Export(model, path);
        using var onnx = OnnxClassifier.Open(path, threads: 1);
        var rows = onnx.Predict(input.data<float>().ToArray(), 2);
        for (var row = 0; row < 2; row++)
        {
            var logits = before.AsSpan(row * 6, 6).ToArray().Select(v => v / 0.8).ToArray();
            var max = logits.Max();
            var exp = logits.Select(v => Math.Exp(v - max)).ToArray();
            for (var k = 0; k < 6; k++)
            {
                Assert.Equal(exp[k] / exp.Sum(), rows[row][k], 4);
            }
        }
        Assert.True(rows[0].Max() - rows[0].Min() > 0.05f, $"probabilities nearly uniform: {string.Join(", ", rows[0])}");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void AScaleThatIsNotAPositiveNumberIsRefused(double factor)
    {
        using var model = ModelCatalog.Create("mobilenetv3", options: new ModelOptions { InputDownsample = 8 });
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ScaleLogits(factor));
    }
}
