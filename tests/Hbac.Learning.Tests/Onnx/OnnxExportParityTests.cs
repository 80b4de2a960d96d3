using Hbac.Learning.Models;
using Hbac.Learning.Onnx;
using Hbac.Learning.Tests.Support;
using Hbac.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Hbac.Learning.Tests.Onnx;

[Collection("Torch")]
public sealed class OnnxExportParityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hbac-onnx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("mobilenetv3", 1, null, 2)]
    [InlineData("mobilenetv3", 4, null, 2)]
    [InlineData("efficientnetv2b2", 1, null, 1)]
    [InlineData("efficientnetv2b2", 4, null, 2)]
    [InlineData("mobilenetv3", 5, 6, 2)]
    public void OnnxRuntimeMatchesTorchSharpEvalModeWithMovedWeights(string name, int downsample, int? columns, int batch)
    {
        torch.manual_seed(7);
        using var model = ModelCatalog.Create(name, options: new ModelOptions { InputDownsample = downsample, InputDownsampleColumns = columns });
        // Weights and statistics moved directly rather than by training steps: after two Adam steps an
        // EfficientNetV2-B2 case's probabilities came out NaN in about 1 of 6 CI runs (never in
        // runs of this test project alone), failing this export test for a reason that is not the export's.
        MovedWeights.Apply(model);
        // A larger classifier makes the probabilities far from uniform, so the comparison means something.
        using (no_grad())
        {
            var classifier = model.state_dict()["classifier.weight"];
            classifier.mul_(200);
        }

        var path = Path.Combine(_dir, $"{name}-{downsample}x{columns}.onnx");
        OnnxExporter.Export(model, path);

        // TorchSharp's NCHW convolutions are the reference; its channels-last ones only where they compute the same on
        // this CPU (ChannelsLastCheck: on an AMD EPYC they did not, and training falls back to NCHW there).
        var verdict = ChannelsLastCheck.Run(model, batch, 3, 400, 300, CPU);
        model.UseConvolutionLayout(verdict.Agrees);
        model.eval();
        using var input = randn(batch, 3, 400, 300);
        using var expected = no_grad_softmax(model, input);
        using var classifierOnnx = OnnxClassifier.Open(path, threads: 2);
        var actual = classifierOnnx.Predict(input.data<float>().ToArray(), batch);

        var expectedRows = expected.data<float>().ToArray();
        Assert.True(expectedRows.All(float.IsFinite), $"TorchSharp's own probabilities are not finite: {string.Join(", ", expectedRows)}");
        var maxDiff = 0f;
        for (var i = 0; i < batch; i++)
        {
            for (var k = 0; k < 6; k++)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(actual[i][k] - expectedRows[i * 6 + k]));
            }
        }
        Assert.True(maxDiff <= 1e-5f, $"max |p_onnx - p_torch| = {maxDiff}");
        // Not a uniform distribution: the weights really differ between classes.
        Assert.True(expectedRows.Max() - expectedRows.Min() > 0.05f, $"probabilities nearly uniform: {string.Join(", ", expectedRows)}");
        Assert.True(classifierOnnx.OutputIsProbabilities);
    }

    [Fact]
    public void InitializersCarryTheStateDictNamesAndMetadataTheCardSummary()
    {
        using var model = ModelCatalog.Create("mobilenetv3");
        var proto = OnnxExporter.ToModelProto(model, new OnnxExportOptions
        {
            Metadata = new Dictionary<string, string> { ["card_summary"] = "{\"profile\":\"quick\"}" },
        });

        var expected = model.state_dict().Keys.Where(k => !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(expected, proto.Graph.Initializer.Select(t => t.Name).Order().ToList());
        Assert.Equal(8, proto.IrVersion);
        Assert.Equal(17, Assert.Single(proto.OpsetImport).Version);

        var input = Assert.Single(proto.Graph.Input);
        Assert.Equal("input", input.Name);
        var dims = input.Type.TensorType.Shape.Dim;
        Assert.Equal("N", dims[0].DimParam);
        Assert.Equal([3L, 400L, 300L], dims.Skip(1).Select(d => d.DimValue));
        Assert.Equal(["logits", "probabilities"], proto.Graph.Output.Select(o => o.Name));

        var metadata = proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("[\"Seizure\",\"LPD\",\"GPD\",\"LRDA\",\"GRDA\",\"Other\"]", metadata["class_names"]);
        Assert.Equal("mobilenetv3", metadata["model_name"]);
        Assert.Equal("{\"profile\":\"quick\"}", metadata["card_summary"]);

        // BatchNorm eps 1e-3 (torchvision and Keras), one node per conv.
        var norms = proto.Graph.Node.Where(n => n.OpType == "BatchNormalization").ToList();
        Assert.Equal(proto.Graph.Node.Count(n => n.OpType == "Conv" && n.Input.Count == 2), norms.Count);
        Assert.All(norms, n => Assert.Equal(1e-3f, n.Attribute.Single(a => a.Name == "epsilon").F));

        var hardSigmoid = proto.Graph.Node.First(n => n.OpType == "HardSigmoid");
        Assert.Equal(1f / 6f, hardSigmoid.Attribute.Single(a => a.Name == "alpha").F);
        Assert.Equal(0.5f, hardSigmoid.Attribute.Single(a => a.Name == "beta").F);
    }

    [Fact]
    public void AnExportedFileLoadsBackAsInitialWeights()
    {
        torch.manual_seed(3);
        using var trained = ModelCatalog.Create("mobilenetv3", options: new ModelOptions { InputDownsample = 4 });
        TrainSteps(trained, steps: 1);
        var path = Path.Combine(_dir, "trained.onnx");
        OnnxExporter.Export(trained, path);

        using var restored = ModelCatalog.Create("mobilenetv3", options: new ModelOptions { InputDownsample = 4, WeightsPath = path });
        trained.eval();
        restored.eval();
        using var input = randn(2, 3, 400, 300);
        using var a = no_grad_softmax(trained, input);
        using var b = no_grad_softmax(restored, input);
        Assert.Equal(a.data<float>().ToArray(), b.data<float>().ToArray());
    }

    [Fact]
    public void TorchSharpWeightsRoundTrip()
    {
        torch.manual_seed(4);
        using var trained = ModelCatalog.Create("mobilenetv3", options: new ModelOptions { InputDownsample = 4 });
        TrainSteps(trained, steps: 1);
        var path = Path.Combine(_dir, "weights.bin");
        ModelWeights.Save(trained, path);

        using var restored = ModelCatalog.Create("mobilenetv3", options: new ModelOptions { InputDownsample = 4, WeightsPath = path });
        trained.eval();
        restored.eval();
        using var input = randn(1, 3, 400, 300);
        using var a = no_grad_softmax(trained, input);
        using var b = no_grad_softmax(restored, input);
        Assert.Equal(a.data<float>().ToArray(), b.data<float>().ToArray());
    }

    [Fact]
    public void CorruptOrMismatchedWeightsAreOneMessageNamingTheFile()
    {
        var garbage = Path.Combine(_dir, "garbage.bin");
        File.WriteAllBytes(garbage, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        var e = Assert.Throws<ModelFileException>(() => ModelCatalog.Create("mobilenetv3", options: new ModelOptions { WeightsPath = garbage }));
        Assert.StartsWith($"{garbage}: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);

        var garbageOnnx = Path.Combine(_dir, "garbage.onnx");
        File.WriteAllBytes(garbageOnnx, [0xff, 0xff, 0xff, 0xff, 0x0f]);
        e = Assert.Throws<ModelFileException>(() => ModelCatalog.Create("mobilenetv3", options: new ModelOptions { WeightsPath = garbageOnnx }));
        Assert.StartsWith($"{garbageOnnx}: ", e.Message);

        using var mobileNet = ModelCatalog.Create("mobilenetv3");
        var mobileNetOnnx = Path.Combine(_dir, "mobilenet.onnx");
        OnnxExporter.Export(mobileNet, mobileNetOnnx);
        e = Assert.Throws<ModelFileException>(() => ModelCatalog.Create("efficientnetv2b2", options: new ModelOptions { WeightsPath = mobileNetOnnx }));
        Assert.StartsWith($"{mobileNetOnnx}: no initializer 'stem.0.weight'", e.Message);

        var mobileNetWeights = Path.Combine(_dir, "mobilenet.bin");
        ModelWeights.Save(mobileNet, mobileNetWeights);
        e = Assert.Throws<ModelFileException>(() => ModelCatalog.Create("efficientnetv2b2", options: new ModelOptions { WeightsPath = mobileNetWeights }));
        Assert.StartsWith($"{mobileNetWeights}: not TorchSharp weights for EfficientNetV2B2", e.Message);

        var missing = Path.Combine(_dir, "missing.bin");
        e = Assert.Throws<ModelFileException>(() => ModelCatalog.Create("mobilenetv3", options: new ModelOptions { WeightsPath = missing }));
        Assert.Equal($"{missing}: weights file not found", e.Message);
    }

    private static Tensor no_grad_softmax(nn.Module<Tensor, Tensor> model, Tensor input)
    {
        using var noGrad = no_grad();
        using var logits = model.call(input);
        return nn.functional.softmax(logits, 1);
    }

    /// <summary>A few Adam steps in train mode so weights and BatchNorm statistics are no longer at init.</summary>
    private static void TrainSteps(nn.Module<Tensor, Tensor> model, int steps)
    {
        model.train();
        using var optimizer = optim.Adam(model.parameters(), lr: 1e-3);
        for (var s = 0; s < steps; s++)
        {
            using var scope = NewDisposeScope();
            var input = randn(2, 3, 160, 120) * 2 + 0.5; // small: only weights and BN statistics must move
            var target = tensor(new long[] { 0, 3 });
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(input), target);
            loss.backward();
            optimizer.step();
        }
    }
}
