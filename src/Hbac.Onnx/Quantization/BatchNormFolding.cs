using Hbac.Onnx.Proto;

namespace Hbac.Onnx.Quantization;

/// <summary>
/// Folds every BatchNormalization that directly follows a Conv into that Conv's weights and bias
/// (w' = w * g / sqrt(v + eps), b' = (b - m) * g / sqrt(v + eps) + beta). ONNX Runtime only does this
/// itself when the weights are plain initializers; once they sit behind DequantizeLinear it cannot, and
/// a BatchNormalization left between Conv and QuantizeLinear stops the Conv becoming a QLinearConv.
/// </summary>
internal static class BatchNormFolding
{
    /// <summary>Rewrites <paramref name="graph"/> in place; returns how many BatchNormalization nodes were folded.</summary>
    internal static int Fold(GraphProto graph)
    {
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var consumers = Consumers(graph);
        var folded = new HashSet<NodeProto>();
        foreach (var conv in graph.Node.Where(n => n.OpType == "Conv").ToList())
        {
            var output = conv.Output[0];
            if (graphOutputs.Contains(output) || !consumers.TryGetValue(output, out var users) || users.Count != 1)
            {
                continue;
            }
            var bn = users[0];
            if (bn.OpType != "BatchNormalization" || bn.Input[0] != output || bn.Output.Count != 1
                || !bn.Input.Skip(1).All(initializers.ContainsKey) || !initializers.TryGetValue(conv.Input[1], out var weightTensor))
            {
                continue;
            }
            var epsilon = bn.Float("epsilon", 1e-5f);
            var gamma = OnnxTensors.Floats(initializers[bn.Input[1]]);
            var beta = OnnxTensors.Floats(initializers[bn.Input[2]]);
            var mean = OnnxTensors.Floats(initializers[bn.Input[3]]);
            var variance = OnnxTensors.Floats(initializers[bn.Input[4]]);
            var weights = OnnxTensors.Floats(weightTensor);
            var channels = gamma.Length;
            var perChannel = weights.Length / channels;
            var bias = conv.Input.Count > 2 && conv.Input[2].Length > 0 ? OnnxTensors.Floats(initializers[conv.Input[2]]) : new float[channels];

            var foldedWeights = new float[weights.Length];
            var foldedBias = new float[channels];
            for (var c = 0; c < channels; c++)
            {
                // In double: the folded model is compared with the unfolded one to 1e-5.
                var scale = gamma[c] / Math.Sqrt(variance[c] + (double)epsilon);
                for (var i = 0; i < perChannel; i++)
                {
                    foldedWeights[c * perChannel + i] = (float)(weights[c * perChannel + i] * scale);
                }
                foldedBias[c] = (float)((bias[c] - mean[c]) * scale + beta[c]);
            }
            var weightName = $"{conv.Input[1]}:bn_folded";
            var biasName = $"{conv.Input[1]}:bn_folded_bias";
            graph.Initializer.Add(OnnxTensors.Float(weightName, foldedWeights, [.. weightTensor.Dims]));
            graph.Initializer.Add(OnnxTensors.Float(biasName, foldedBias, channels));
            var x = conv.Input[0];
            conv.Input.Clear();
            conv.Input.AddRange([x, weightName, biasName]);
            conv.Output[0] = bn.Output[0];
            folded.Add(bn);
        }
        foreach (var bn in folded)
        {
            graph.Node.Remove(bn);
        }
        RemoveUnusedInitializers(graph);
        return folded.Count;
    }

    internal static Dictionary<string, List<NodeProto>> Consumers(GraphProto graph)
    {
        var consumers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var input in node.Input.Where(i => i.Length > 0).Distinct())
            {
                if (!consumers.TryGetValue(input, out var list))
                {
                    consumers[input] = list = [];
                }
                list.Add(node);
            }
        }
        return consumers;
    }

    internal static void RemoveUnusedInitializers(GraphProto graph)
    {
        var used = graph.Node.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        foreach (var unused in graph.Initializer.Where(t => !used.Contains(t.Name)).ToList())
        {
            graph.Initializer.Remove(unused);
        }
    }
}
