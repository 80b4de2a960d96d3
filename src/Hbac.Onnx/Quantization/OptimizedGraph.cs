using Hbac.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;

namespace Hbac.Onnx.Quantization;

/// <summary>
/// The graph ONNX Runtime actually runs for a model: the session writes its optimized graph
/// (<see cref="SessionOptions.OptimizedModelFilePath"/>) at the optimization level the classifier uses,
/// and this counts its node types. How one sees whether Q/DQ pairs became QLinearConv and friends. The
/// model is opened as <see cref="OnnxClassifier"/> opens it: without a leading input pool it does itself
/// (<see cref="LeadingInputPool"/>), so the count is of what the service runs.
/// </summary>
public static class OptimizedGraph
{
    /// <summary>Node count per op type ("QLinearConv", "Conv", "DequantizeLinear", ...) after CPU optimization.</summary>
    public static IReadOnlyDictionary<string, int> NodeTypes(string modelPath, int threads = 1)
    {
        var optimized = Path.Combine(Path.GetTempPath(), $"hbac-optimized-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions
            {
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
                LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
                OptimizedModelFilePath = optimized,
                IntraOpNumThreads = threads,
            })
            using (OnnxClassifier.OpenCpu(modelPath, options))
            {
            }
            var graph = ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimized)).Graph;
            return graph.Node.GroupBy(n => n.OpType).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        }
        finally
        {
            File.Delete(optimized);
        }
    }
}
