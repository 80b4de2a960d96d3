using Hbac.Onnx.Profiling;
using Hbac.Onnx.Quantization;
using Hbac.Onnx.Tests.Quantization;

namespace Hbac.Onnx.Tests.Profiling;

public sealed class NodeProfileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hbac-profile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void SumsTheTimedRunsPerOpTypeAndLeavesTheWarmUpOut()
    {
        // Three runs; the first (a warm-up) is slow and must not count. Node a (Conv) takes 30 + 10 us in the two
        // timed runs, b (Conv) 10 + 10, c (Mul) 25 + 20.
        var profile = """
            [
              {"cat":"Session","name":"model_run","ts":0,"dur":900,"args":{}},
              {"cat":"Node","name":"a_kernel_time","ts":10,"dur":800,"args":{"op_name":"Conv"}},
              {"cat":"Session","name":"model_run","ts":1000,"dur":70,"args":{}},
              {"cat":"Node","name":"a_kernel_time","ts":1001,"dur":30,"args":{"op_name":"Conv"}},
              {"cat":"Node","name":"a_fence_before","ts":1001,"dur":0,"args":{"op_name":"Conv"}},
              {"cat":"Node","name":"b_kernel_time","ts":1031,"dur":10,"args":{"op_name":"Conv"}},
              {"cat":"Node","name":"c_kernel_time","ts":1041,"dur":25,"args":{"op_name":"Mul"}},
              {"cat":"Session","name":"model_run","ts":2000,"dur":50,"args":{}},
              {"cat":"Node","name":"a_kernel_time","ts":2001,"dur":10,"args":{"op_name":"Conv"}},
              {"cat":"Node","name":"b_kernel_time","ts":2011,"dur":10,"args":{"op_name":"Conv"}},
              {"cat":"Node","name":"c_kernel_time","ts":2021,"dur":20,"args":{"op_name":"Mul"}}
            ]
            """;

        var (opTypes, slowest) = NodeProfile.Summarise(profile, runs: 2, slowestNodes: 2);

        Assert.Equal(
            [new OpTypeTime("Conv", 2, 0.030, Math.Round(60.0 / 105, 6)), new OpTypeTime("Mul", 1, 0.0225, Math.Round(45.0 / 105, 6))],
            opTypes.Select(t => t with { MsPerRun = Math.Round(t.MsPerRun, 6), Share = Math.Round(t.Share, 6) }));
        Assert.Equal([("c", "Mul", 0.0225), ("a", "Conv", 0.020)], slowest.Select(n => (n.Node, n.OpType, Math.Round(n.MsPerRun, 6))));
    }

    [Fact]
    public void ProfilesEveryNodeOnnxRuntimeRunsForAQuantizedModel()
    {
        var quantizer = new QdqQuantizer(TinyGraph.Create().Bytes());
        using var calibrator = new ActivationCalibrator(quantizer.FoldedModel, quantizer.CalibrationTensors, threads: 1);
        calibrator.Observe(TinyGraph.Inputs(16, seed: 5), 16);
        var path = Path.Combine(_dir, "tiny.int8.onnx");
        File.WriteAllBytes(path, quantizer.Quantize(calibrator.Ranges));

        var (opTypes, slowest) = NodeProfile.Measure(path, batch: 4, runs: 3, threads: 1);

        // The optimized graph's node counts, op type by op type (every node runs a kernel once per run).
        var optimized = OptimizedGraph.NodeTypes(path);
        Assert.Equal(optimized.OrderBy(p => p.Key, StringComparer.Ordinal), opTypes.Select(t => KeyValuePair.Create(t.OpType, t.Nodes)).OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(3, optimized["QLinearConv"]);
        Assert.All(opTypes, t => Assert.True(t.MsPerRun > 0, t.OpType));
        Assert.Equal(1.0, opTypes.Sum(t => t.Share), 6);
        Assert.Equal(opTypes.OrderByDescending(t => t.MsPerRun).Select(t => t.OpType), opTypes.Select(t => t.OpType));
        Assert.Equal(5, slowest.Count);
    }

    [Fact]
    public void RefusesABatchAFixedBatchModelCannotTakeNamingItAndLeavesNoProfileFile()
    {
        var model = TinyGraph.Create();
        var batch = model.Graph.Input.Single().Type.TensorType.Shape.Dim[0];
        batch.ClearDimParam();
        batch.DimValue = 1;
        var path = Path.Combine(_dir, "batch-of-one.onnx");
        File.WriteAllBytes(path, model.Bytes());
        var before = Directory.GetFiles(Path.GetTempPath(), "hbac-profile-*").Length;

        var error = Assert.Throws<ModelFileException>(() => NodeProfile.Measure(path, batch: 2, runs: 1, threads: 1));

        Assert.Contains(path, error.Message);
        Assert.Contains("fixed batch of 1, asked to profile a batch of 2", error.Message);
        Assert.Equal(before, Directory.GetFiles(Path.GetTempPath(), "hbac-profile-*").Length);
    }

    [Fact]
    public void RefusesWhatIsNotAModelNamingTheFile()
    {
        var path = Path.Combine(_dir, "not-a-model.onnx");
        File.WriteAllText(path, "not an ONNX model");

        var error = Assert.Throws<ModelFileException>(() => NodeProfile.Measure(path, batch: 1, runs: 1, threads: 1));
        Assert.Contains(path, error.Message);
        Assert.Contains("not a loadable ONNX model", error.Message);
    }
}
