using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Hbac.Onnx.Profiling;

/// <summary>Kernel time of one op type in the graph ONNX Runtime runs (after its optimizations and fusions).</summary>
public sealed record OpTypeTime(string OpType, int Nodes, double MsPerRun, double Share);

/// <summary>
/// Where a model's time goes, per op type: the model runs with ONNX Runtime's profiler on (the classifier's
/// optimization level, non-spinning threads) on a random input, and the profile's kernel times are summed per op
/// type over the timed runs (the warm-up runs are left out). It is how the quantizer's slow QLinearAdd broadcast was
/// found: one node holding a quarter of a model's time shows at the top of its op type.
/// </summary>
public static class NodeProfile
{
    private const int WarmUpRuns = 2;

    /// <summary>Op types by total kernel time, largest first, and the slowest nodes, for a batch of <paramref name="batch"/>.</summary>
    /// <exception cref="ModelFileException">The file is not a model with one float input whose only free dimension is the batch.</exception>
    public static (IReadOnlyList<OpTypeTime> OpTypes, IReadOnlyList<(string Node, string OpType, double MsPerRun)> SlowestNodes) Measure(
        string modelPath, int batch, int runs, int threads, int slowestNodes = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        var prefix = Path.Combine(Path.GetTempPath(), $"hbac-profile-{Guid.NewGuid():N}");
        string? file = null;
        try
        {
            using (var options = OnnxClassifier.Options(threads, spinning: false))
            {
                options.EnableProfiling = true;
                options.ProfileOutputPathPrefix = prefix;
                using var session = OnnxClassifier.OpenCpu(modelPath, options);
                var (name, dims) = Input(modelPath, session, batch);
                var input = new DenseTensor<float>(dims);
                var random = new Random(1);
                var values = input.Buffer.Span;
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = (float)(random.NextDouble() * 2 - 1);
                }
                for (var r = 0; r < WarmUpRuns + runs; r++)
                {
                    using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(name, input)]);
                }
                file = session.EndProfiling();
            }
            return Summarise(File.ReadAllText(file), runs, slowestNodes);
        }
        finally
        {
            if (file is not null)
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>Sums an ONNX Runtime profile (its JSON trace) per op type over the last <paramref name="runs"/> model runs.</summary>
    internal static (IReadOnlyList<OpTypeTime> OpTypes, IReadOnlyList<(string Node, string OpType, double MsPerRun)> SlowestNodes) Summarise(string profileJson, int runs, int slowestNodes)
    {
        using var document = JsonDocument.Parse(profileJson);
        var events = document.RootElement.EnumerateArray().ToList();
        var runStarts = events
            .Where(e => e.GetProperty("cat").GetString() == "Session" && e.GetProperty("name").GetString() == "model_run")
            .Select(e => e.GetProperty("ts").GetDouble())
            .Order()
            .ToList();
        if (runStarts.Count < runs)
        {
            throw new InvalidDataException($"the profile holds {runStarts.Count} model runs, expected at least {runs}");
        }
        var from = runStarts[^runs];
        var nodes = new Dictionary<string, (string OpType, double Microseconds)>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            var eventName = e.GetProperty("name").GetString() ?? "";
            if (e.GetProperty("cat").GetString() != "Node" || !eventName.EndsWith("_kernel_time", StringComparison.Ordinal)
                || e.GetProperty("ts").GetDouble() < from)
            {
                continue;
            }
            var node = eventName[..^"_kernel_time".Length];
            var opType = e.GetProperty("args").GetProperty("op_name").GetString() ?? "?";
            var duration = e.GetProperty("dur").GetDouble();
            nodes[node] = nodes.TryGetValue(node, out var seen) ? (opType, seen.Microseconds + duration) : (opType, duration);
        }
        var total = nodes.Values.Sum(n => n.Microseconds);
        var opTypes = nodes.Values
            .GroupBy(n => n.OpType, StringComparer.Ordinal)
            .Select(g => (OpType: g.Key, Nodes: g.Count(), Microseconds: g.Sum(n => n.Microseconds)))
            .Select(t => new OpTypeTime(t.OpType, t.Nodes, t.Microseconds / runs / 1000, total > 0 ? t.Microseconds / total : 0))
            .OrderByDescending(t => t.MsPerRun)
            .ThenBy(t => t.OpType, StringComparer.Ordinal)
            .ToList();
        var slowest = nodes
            .OrderByDescending(n => n.Value.Microseconds)
            .Take(slowestNodes)
            .Select(n => (n.Key, n.Value.OpType, n.Value.Microseconds / runs / 1000))
            .ToList();
        return (opTypes, slowest);
    }

    private static (string Name, int[] Dims) Input(string path, InferenceSession session, int batch)
    {
        if (session.InputMetadata.Count != 1)
        {
            throw ModelFileException.InFile(path, $"model has {session.InputMetadata.Count} inputs, expected one");
        }
        var (name, metadata) = session.InputMetadata.First();
        if (metadata.ElementType != typeof(float))
        {
            throw ModelFileException.InFile(path, $"input '{name}' is {metadata.ElementType.Name}, expected float");
        }
        var dims = metadata.Dimensions.ToArray();
        if (dims.Length == 0 || dims.Skip(1).Any(d => d < 1))
        {
            throw ModelFileException.InFile(path, $"input '{name}' has shape [{string.Join(", ", dims)}]: only its first (batch) dimension may be free");
        }
        if (dims[0] > 0 && dims[0] != batch)
        {
            throw ModelFileException.InFile(path, $"input '{name}' has a fixed batch of {dims[0]}, asked to profile a batch of {batch}");
        }
        dims[0] = batch;
        return (name, dims);
    }
}
