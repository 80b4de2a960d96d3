using Hbac.Learning.Models;
using Hbac.Learning.Onnx;
using Hbac.Learning.Quantization;
using Hbac.Learning.Tests.Support;
using Hbac.Learning.Tests.Training;
using Hbac.Learning.Training;
using Hbac.Onnx;
using Hbac.Onnx.Quantization;
using TorchSharp;
using static TorchSharp.torch;

namespace Hbac.Learning.Tests.Quantization;

/// <summary>The whole <c>hbac quantize</c> path on an exported MobileNetV3 (8x input pooling, so it is quick) and in-memory data.</summary>
[Collection("Torch")]
public sealed class ModelQuantizationTests : IClassFixture<ModelQuantizationTests.ExportedModel>, IDisposable
{
    private readonly ExportedModel _model;
    private readonly string _dir = Directory.CreateTempSubdirectory("hbac-quantize-").FullName;

    public ModelQuantizationTests(ExportedModel model) => _model = model;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private QuantizationOptions Options(string output, DriftGate? gate = null) => new()
    {
        ModelPath = _model.Path,
        DataFolder = "unused",
        OutPath = output,
        Fold = 0,
        CalibrationWindows = 16,
        Threads = 2,
        TimingBatchSizes = [1],
        TimingBudget = TimeSpan.Zero,
        Gate = gate ?? new DriftGate(),
    };

    [Fact]
    public async Task WritesAModelTheClassifierServesWithFusedConvsAndCloseProbabilities()
    {
        var output = Path.Combine(_dir, "model.int8.onnx");
        var data = TinyData.Create();

        var report = await ModelQuantization.RunAsync(Options(output), data);

        Assert.True(report.Written, string.Join("; ", report.Refusals));
        Assert.Equal(16, report.CalibrationWindows);
        var convs = report.ExpectedQuantizedNodes["Conv"];
        Assert.True(convs > 50, $"{convs} Conv nodes quantized");
        Assert.Equal(convs, report.NodeTypes.GetValueOrDefault("QLinearConv"));
        // The stem, reading the 3-channel input, and the first block's 16-channel depthwise and 1x1 Convs stay float.
        Assert.Equal(3, report.NodeTypes.GetValueOrDefault("Conv"));
        // MobileNetV3-Large's depthwise Convs of 72, 72, 120, 120, 200, 184 and 184 channels, widened for ORT's
        // fast int8 depthwise kernel; the other eight (16, 64, 240, 480, 672, 672, 960, 960) are multiples of 16.
        Assert.Equal(7, report.PaddedDepthwiseConvs);
        // The squeeze-excitation gates run as QLinearAdds: no float HardSigmoid, and so no DequantizeLinear, is left.
        Assert.False(report.NodeTypes.ContainsKey("HardSigmoid"), string.Join(", ", report.NodeTypes.Keys));
        Assert.False(report.NodeTypes.ContainsKey("DequantizeLinear"), string.Join(", ", report.NodeTypes.Keys));

        using var fp32 = OnnxClassifier.Open(_model.Path, threads: 2);
        using var int8 = OnnxClassifier.Open(output, threads: 2);
        Assert.True(int8.OutputIsProbabilities);
        Assert.Equal("int8", int8.Metadata["hbac.precision"]);
        Assert.Equal(fp32.Metadata[OnnxNames.ClassNamesKey], int8.Metadata[OnnxNames.ClassNamesKey]);
        var split = FoldSplit.Create(data.Windows, 0, 5, 42, data.LabelsPath);
        var p32 = await FoldEvaluator.PredictAsync(fp32, data.Source, split.Validation);
        var p8 = await FoldEvaluator.PredictAsync(int8, data.Source, split.Validation);
        var maxDiff = p32.Zip(p8, (a, b) => Math.Abs(a - b)).Max();
        // Measured max |dp| 0.011 and mean KL 2.3e-4 on these 8 validation windows; bounds with ~3x margin.
        Assert.True(maxDiff < 0.035, $"max |p_fp32 - p_int8| = {maxDiff}");
        Assert.True(report.Drift.MeanDrift < 8e-4, $"mean KL(fp32 || int8) = {report.Drift.MeanDrift}");
        Assert.True(p32.Max() - p32.Min() > 0.2, "probabilities nearly uniform: the comparison would mean little");
        Assert.Equal(report.Fp32.ModelKl, FoldEvaluator.Score(data, split, 0, p32).ModelKl, 9);
    }

    [Fact]
    public async Task RefusesAModelThatDriftsBeyondTheGateAndWritesNothing()
    {
        var output = Path.Combine(_dir, "refused.int8.onnx");

        var report = await ModelQuantization.RunAsync(Options(output, new DriftGate(MaxDrift: 1e-12)), TinyData.Create());

        Assert.False(report.Written);
        var refusal = Assert.Single(report.Refusals);
        Assert.StartsWith("mean KL(fp32 || int8) ", refusal);
        Assert.EndsWith(" > 1E-12 (--max-drift)", refusal);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    /// <summary>MobileNetV3 with 8x input pooling and moved weights and BatchNorm statistics, exported once for the class.</summary>
    public sealed class ExportedModel : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("hbac-quantize-model-").FullName;

        public ExportedModel()
        {
            torch.manual_seed(11);
            using var model = ModelCatalog.Create("mobilenetv3", options: new ModelOptions { InputDownsample = 8 });
            MovedWeights.Apply(model);
            using (no_grad())
            {
                // A larger classifier makes the probabilities far from uniform (0.01-0.44), so closeness means
                // something; much larger saturates them to 0 and 1, where any two models agree.
                model.state_dict()["classifier.weight"].mul_(20);
            }
            Path = System.IO.Path.Combine(_dir, "model.onnx");
            OnnxExporter.Export(model, Path, new OnnxExportOptions());
        }

        public string Path { get; }

        public void Dispose() => Directory.Delete(_dir, recursive: true);
    }
}
