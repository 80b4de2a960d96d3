using Hbac.Onnx.Proto;

namespace Hbac.Onnx.Quantization;

/// <summary>
/// Widens every depthwise Conv whose channel count is not a multiple of <see cref="ChannelMultiple"/> to the
/// next multiple, with all-zero extra channels. ONNX Runtime's fast int8 depthwise kernel (MLAS's symmetric
/// indirect convolution, MlasConvSymPackWSize) takes only channel counts that are multiples of 16; other
/// counts fall back to a generic kernel. In MobileNetV3-Large that is 7 of the 15 depthwise Convs (72, 120,
/// 200 and 184 channels). On a full-resolution model (1 thread, batch 1, ORT's profiler) those took 2.3-5.6x
/// fp32's time (2.42 against 0.61 ms in all); widened, 0.7-1.5x (0.67 ms), and the whole int8 model went
/// from 0.88x fp32's time per window to 0.73x (batch 1) and from 0.68x to 0.60x (batch 16).
/// <para>
/// A depthwise Conv's channels are tied to a connected set of tensors: the Conv that produces its input
/// (through activations), the squeeze-excitation branch (GlobalAveragePool, its two Convs, the gate Mul) and
/// the Conv that reads its output. The pass pads that whole set: the producing Conv gets zero output channels,
/// the consuming Conv zero input weights. The extra channels then hold constants (0, or HardSigmoid's 0.5 in
/// the gate) that no real channel ever reads, so the float model computes exactly what it did. A set that
/// reaches anything else (a graph input or output, a Reshape, a Concat, ...) is left as it is.
/// </para>
/// </summary>
internal static class DepthwiseChannelPadding
{
    internal const int ChannelMultiple = 16;

    /// <summary>Ops that work channel by channel, so a padded input gives a padded output.</summary>
    private static readonly HashSet<string> ChannelwiseOps = new(StringComparer.Ordinal)
    {
        "Relu", "HardSwish", "HardSigmoid", "Sigmoid", "Clip", "Identity", "GlobalAveragePool", "Mul", "Add",
    };

    /// <summary>Rewrites <paramref name="graph"/> in place; returns how many depthwise Convs were widened.</summary>
    internal static int Pad(GraphProto graph)
    {
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var consumers = BatchNormFolding.Consumers(graph);
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output)
            {
                producers[output] = node;
            }
        }
        var boundary = graph.Input.Select(i => i.Name).Concat(graph.Output.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
        var done = new HashSet<NodeProto>();
        var padded = 0;
        foreach (var conv in graph.Node.ToList())
        {
            if (done.Contains(conv) || ConvShape.Of(conv, initializers) is not { IsDepthwise: true } shape || shape.Group % ChannelMultiple == 0)
            {
                continue;
            }
            var channels = (int)shape.Group;
            var region = Region(conv, channels, initializers, producers, consumers, boundary);
            if (region is null)
            {
                done.Add(conv);
                continue;
            }
            var width = (channels + ChannelMultiple - 1) / ChannelMultiple * ChannelMultiple;
            Widen(graph, initializers, region, channels, width);
            done.UnionWith(region.Depthwise);
            padded += region.Depthwise.Count;
        }
        if (padded > 0)
        {
            BatchNormFolding.RemoveUnusedInitializers(graph);
        }
        return padded;
    }

    private sealed record ChannelRegion(HashSet<string> Tensors, HashSet<NodeProto> Depthwise, HashSet<NodeProto> Producers, HashSet<NodeProto> Readers);

    /// <summary>
    /// Every tensor that carries <paramref name="start"/>'s channels, found by walking producers and consumers
    /// until dense Convs bound it; null when it reaches something that cannot be widened.
    /// </summary>
    private static ChannelRegion? Region(
        NodeProto start, int channels, Dictionary<string, TensorProto> initializers, Dictionary<string, NodeProto> producers,
        Dictionary<string, List<NodeProto>> consumers, HashSet<string> boundary)
    {
        var region = new ChannelRegion([], [start], [], []);
        var pending = new Queue<string>();
        void Add(string tensor)
        {
            if (region.Tensors.Add(tensor))
            {
                pending.Enqueue(tensor);
            }
        }
        // A channel-wise node: its activation inputs and its output share the channels; a constant input must be a scalar.
        bool AddChannelwise(NodeProto node)
        {
            foreach (var input in node.Input.Where(i => i.Length > 0))
            {
                if (initializers.TryGetValue(input, out var constant))
                {
                    if (constant.Dims.Aggregate(1L, (a, d) => a * d) != 1)
                    {
                        return false;
                    }
                }
                else if (node.OpType is "Mul" or "Add" || input == node.Input[0])
                {
                    Add(input);
                }
                else
                {
                    return false;
                }
            }
            Add(node.Output[0]);
            return node.Output.Count == 1;
        }
        Add(start.Input[0]);
        Add(start.Output[0]);
        while (pending.TryDequeue(out var tensor))
        {
            if (boundary.Contains(tensor) || initializers.ContainsKey(tensor) || !producers.TryGetValue(tensor, out var producer))
            {
                return null;
            }
            if (!Joins(producer, isProducer: true) || !consumers.TryGetValue(tensor, out var users) || !users.All(u => Joins(u, isProducer: false)))
            {
                return null;
            }

            bool Joins(NodeProto node, bool isProducer)
            {
                var conv = ConvShape.Of(node, initializers);
                if (conv is { IsDepthwise: true } depthwise)
                {
                    if (depthwise.Group != channels)
                    {
                        return false;
                    }
                    region.Depthwise.Add(node);
                    Add(node.Input[0]);
                    Add(node.Output[0]);
                    return true;
                }
                if (isProducer && conv is { Group: 1 } producing && producing.Outputs == channels && node.Output[0] == tensor)
                {
                    region.Producers.Add(node);
                    return true;
                }
                if (!isProducer && conv is { Group: 1 } reading && reading.InputsPerGroup == channels && node.Input[0] == tensor)
                {
                    region.Readers.Add(node);
                    return true;
                }
                return ChannelwiseOps.Contains(node.OpType) && AddChannelwise(node);
            }
        }
        return region;
    }

    private static void Widen(GraphProto graph, Dictionary<string, TensorProto> initializers, ChannelRegion region, int channels, int width)
    {
        foreach (var conv in region.Depthwise)
        {
            PadConv(graph, initializers, conv, outputAxis: true, channels, width);
            conv.Attribute.First(a => a.Name == "group").I = width;
        }
        foreach (var conv in region.Producers)
        {
            PadConv(graph, initializers, conv, outputAxis: true, channels, width);
        }
        foreach (var conv in region.Readers)
        {
            PadConv(graph, initializers, conv, outputAxis: false, channels, width);
        }
        // Shapes recorded for the widened tensors no longer hold; ONNX Runtime infers them again.
        foreach (var info in graph.ValueInfo.Where(v => region.Tensors.Contains(v.Name)).ToList())
        {
            graph.ValueInfo.Remove(info);
        }
    }

    /// <summary>Zero weights for the new output channels (and zero biases), or for the new input channels.</summary>
    private static void PadConv(GraphProto graph, Dictionary<string, TensorProto> initializers, NodeProto conv, bool outputAxis, int channels, int width)
    {
        var weights = initializers[conv.Input[1]];
        var dims = weights.Dims.ToArray();
        var values = OnnxTensors.Floats(weights);
        var kernel = (int)(dims[2] * dims[3]);
        float[] widened;
        if (outputAxis)
        {
            var perChannel = (int)dims[1] * kernel;
            widened = new float[width * perChannel];
            values.CopyTo(widened, 0);
            dims[0] = width;
        }
        else
        {
            var outputs = (int)dims[0];
            widened = new float[outputs * width * kernel];
            for (var o = 0; o < outputs; o++)
            {
                Array.Copy(values, o * channels * kernel, widened, o * width * kernel, channels * kernel);
            }
            dims[1] = width;
        }
        conv.Input[1] = AddInitializer(graph, initializers, $"{weights.Name}:padded_{(outputAxis ? "out" : "in")}{width}", widened, dims);
        if (outputAxis && conv.Input.Count > 2 && conv.Input[2].Length > 0)
        {
            var bias = OnnxTensors.Floats(initializers[conv.Input[2]]);
            var widenedBias = new float[width];
            bias.CopyTo(widenedBias, 0);
            conv.Input[2] = AddInitializer(graph, initializers, $"{conv.Input[2]}:padded{width}", widenedBias, [width]);
        }
    }

    private static string AddInitializer(GraphProto graph, Dictionary<string, TensorProto> initializers, string name, float[] values, long[] dims)
    {
        if (!initializers.ContainsKey(name))
        {
            var tensor = OnnxTensors.Float(name, values, dims);
            graph.Initializer.Add(tensor);
            initializers[name] = tensor;
        }
        return name;
    }
}
