using Google.Protobuf;
using Hbac.Onnx.Proto;

namespace Hbac.Onnx.Quantization;

/// <summary>
/// Turns an fp32 classifier into a QDQ int8 model without Python: BatchNorms folded into their Convs,
/// Conv weights int8 per output channel, biases int32, activations uint8 per tensor from calibration
/// ranges, with QuantizeLinear/DequantizeLinear placed where ONNX Runtime's CPU provider fuses them
/// (its QDQ selectors): DQ on every activation input and the weights of Conv, Gemm, Add, Mul,
/// GlobalAveragePool and Sigmoid, and one Q on their output; HardSwish becomes QLinearAdd and QLinearMul.
/// The squeeze-excitation HardSigmoid becomes one QLinearAdd. Depthwise Convs are first widened to a multiple of
/// 16 channels (<see cref="DepthwiseChannelPadding"/>), the channel counts ORT's fast int8 depthwise kernel takes.
/// The stem Conv and a first block of at most 16 channels stay float (<see cref="IsFewChannelConv"/>), and so do
/// the Adds and poolings that read only float tensors. Everything else (Flatten, the input AveragePool,
/// Softmax) stays float between a DQ and a Q. The input, the outputs and the metadata keep their names, so a
/// classifier opening the fp32 model opens this one unchanged.
/// </summary>
public sealed class QdqQuantizer
{
    /// <summary>Op types that become QLinear* / QGemm kernels when wrapped in DQ ... Q.</summary>
    private static readonly HashSet<string> QuantizedOps = new(StringComparer.Ordinal) { "Conv", "Gemm", "Add", "Mul", "GlobalAveragePool", "Sigmoid" };

    private readonly ModelProto _folded;
    private readonly HashSet<string> _initializers;
    private readonly Dictionary<string, TensorProto> _weights;
    private readonly HashSet<NodeProto> _quantizedNodes = [];
    private readonly Dictionary<string, int> _ranks;

    /// <exception cref="InvalidDataException">The bytes are not an ONNX model with a graph.</exception>
    public QdqQuantizer(ReadOnlySpan<byte> model)
    {
        try
        {
            _folded = ModelProto.Parser.ParseFrom(model);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"not an ONNX model ({e.Message})", e);
        }
        var graph = _folded.Graph ?? throw new InvalidDataException("ONNX model without a graph");
        if (graph.Node.Any(n => n.OpType is "QuantizeLinear" or "DequantizeLinear"))
        {
            throw new InvalidDataException("the model is already quantized (it has QuantizeLinear/DequantizeLinear nodes)");
        }
        FoldedBatchNorms = BatchNormFolding.Fold(graph);
        PaddedDepthwiseConvs = DepthwiseChannelPadding.Pad(graph);
        _initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        _weights = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        InputName = graph.Input.First(i => !_initializers.Contains(i.Name)).Name;
        _ranks = TensorRanks(graph);
        CalibrationTensors = Plan(graph);
    }

    /// <summary>BatchNormalization nodes folded into the Conv before them.</summary>
    public int FoldedBatchNorms { get; }

    /// <summary>Depthwise Convs widened to a multiple of 16 channels (<see cref="DepthwiseChannelPadding"/>).</summary>
    public int PaddedDepthwiseConvs { get; }

    public string InputName { get; }

    /// <summary>The fp32 model with BatchNorms folded: what calibration runs, and what the int8 model approximates.</summary>
    public byte[] FoldedModel => _folded.ToByteArray();

    /// <summary>The activation tensors that get a QuantizeLinear/DequantizeLinear pair, in graph order.</summary>
    public IReadOnlyList<string> CalibrationTensors { get; }

    /// <summary>Nodes that ONNX Runtime should turn into quantized kernels, by op type (what the fusion check compares with).</summary>
    public IReadOnlyDictionary<string, int> QuantizedNodeTypes =>
        _quantizedNodes.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>The QDQ model, with <paramref name="metadata"/> added to (or replacing entries of) the fp32 model's metadata_props.</summary>
    public byte[] Quantize(CalibrationRanges ranges, IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        var model = _folded.Clone();
        var graph = model.Graph;
        var activations = CalibrationTensors.ToDictionary(t => t, t => ActivationQuantization.FromRange(ranges[t]), StringComparer.Ordinal);
        var dequantized = new Dictionary<string, string>(StringComparer.Ordinal);
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var nodes = new List<NodeProto>();

        void QuantizeActivation(string tensor)
        {
            if (!activations.TryGetValue(tensor, out var q))
            {
                return;
            }
            graph.Initializer.Add(OnnxTensors.Float($"{tensor}/scale", [q.Scale]));
            graph.Initializer.Add(OnnxTensors.UInt8($"{tensor}/zero_point", [q.ZeroPoint]));
            nodes.Add(OnnxTensors.Node("QuantizeLinear", $"{tensor}/QuantizeLinear", [tensor, $"{tensor}/scale", $"{tensor}/zero_point"], $"{tensor}/quantized"));
            nodes.Add(OnnxTensors.Node("DequantizeLinear", $"{tensor}/DequantizeLinear", [$"{tensor}/quantized", $"{tensor}/scale", $"{tensor}/zero_point"], $"{tensor}/dequantized"));
            dequantized[tensor] = $"{tensor}/dequantized";
        }

        QuantizeActivation(InputName);
        var originals = _folded.Graph.Node;
        for (var n = 0; n < graph.Node.Count; n++)
        {
            var node = graph.Node[n];
            var quantized = _quantizedNodes.Contains(originals[n]);
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (dequantized.TryGetValue(node.Input[i], out var name))
                {
                    node.Input[i] = name;
                }
            }
            if (quantized && node.OpType is "Conv" or "Gemm")
            {
                QuantizeWeights(node, initializers, activations[originals[n].Input[0]].Scale, graph, nodes);
            }
            if (quantized && node.OpType == "HardSwish")
            {
                nodes.AddRange(IntegerHardSwish(node.Input[0], node.Output[0], _ranks.GetValueOrDefault(originals[n].Input[0]), graph));
            }
            else if (quantized && node.OpType == "HardSigmoid")
            {
                var (alpha, beta) = HardSigmoidParameters(node);
                nodes.AddRange(IntegerHardSigmoid(node.Input[0], node.Output[0], alpha, beta, _ranks.GetValueOrDefault(originals[n].Input[0]), graph, prefix: node.Output[0]));
            }
            else
            {
                nodes.Add(node);
            }
            foreach (var output in node.Output)
            {
                QuantizeActivation(output);
            }
        }
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        BatchNormFolding.RemoveUnusedInitializers(graph);

        foreach (var (key, value) in metadata ?? [])
        {
            var existing = model.MetadataProps.FirstOrDefault(p => p.Key == key);
            if (existing is null)
            {
                model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
            }
            else
            {
                existing.Value = value;
            }
        }
        return model.ToByteArray();
    }

    /// <summary>
    /// Which activation tensors get Q/DQ: every activation input of a node ORT can quantize, and that node's
    /// output (its single consumer must be the Q). An Add, Mul, GlobalAveragePool or Sigmoid is quantized only
    /// when it reads what a quantized Conv computed: one that reads only float tensors (the first block's
    /// residual Add, after a float stem and block) stays float, where ORT fuses it into the float Conv before
    /// it. A Conv whose only consumer is a ReLU has the Q after the ReLU instead: with zero point 0 ORT removes
    /// that ReLU as redundant and fuses Conv+ReLU. Gemm's output (the logits) stays float: QGemm writes float
    /// directly.
    /// </summary>
    private List<string> Plan(GraphProto graph)
    {
        var consumers = BatchNormFolding.Consumers(graph);
        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var planned = new HashSet<string>(StringComparer.Ordinal);
        // Tensors computed from a quantized Conv's output: an Add, Mul, pooling or Sigmoid is quantized only when
        // it reads one, so a float prefix of the network (the stem and the first block) stays float throughout.
        var afterQuantized = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            var activationInputs = QuantizedOps.Contains(node.OpType) ? ActivationInputs(node) : null;
            if (activationInputs is not null && node.OpType is not ("Conv" or "Gemm") && !activationInputs.Any(afterQuantized.Contains))
            {
                activationInputs = null;
            }
            if (activationInputs is null)
            {
                if (node.Input.Any(afterQuantized.Contains))
                {
                    afterQuantized.UnionWith(node.Output);
                }
                continue;
            }
            afterQuantized.UnionWith(node.Output);
            _quantizedNodes.Add(node);
            planned.UnionWith(activationInputs);
            if (node.OpType == "Gemm")
            {
                continue;
            }
            var output = node.Output[0];
            if (!graphOutputs.Contains(output) && consumers.TryGetValue(output, out var users) && users is [{ OpType: "Relu" } relu]
                && !graphOutputs.Contains(relu.Output[0]))
            {
                planned.Add(relu.Output[0]);
            }
            else
            {
                planned.Add(output);
            }
        }
        // A HardSwish between two quantized tensors is rewritten into QLinearAdd and QLinearMul (IntegerHardSwish).
        foreach (var node in graph.Node.Where(n => n.OpType == "HardSwish" && planned.Contains(n.Input[0]) && planned.Contains(n.Output[0])))
        {
            _quantizedNodes.Add(node);
        }
        // So is the squeeze-excitation gate's HardSigmoid, into one QLinearAdd whose output quantization is exact
        // (IntegerHardSigmoid): its output needs no calibrated range of its own.
        foreach (var node in graph.Node.Where(n => n.OpType == "HardSigmoid" && planned.Contains(n.Input[0]) && planned.Contains(n.Output[0])
            && HardSigmoidParameters(n) is { Alpha: > 0, Beta: > 0 }))
        {
            _quantizedNodes.Add(node);
            planned.Remove(node.Output[0]);
        }
        // Graph order, the input first: calibration reads them in one run anyway, but reports stay stable.
        var order = new List<string> { InputName };
        order.AddRange(graph.Node.SelectMany(n => n.Output));
        return order.Where(planned.Contains).ToList();
    }

    /// <summary>The node's float activation inputs, or null when ORT could not quantize it as we write it.</summary>
    private string[]? ActivationInputs(NodeProto node)
    {
        switch (node.OpType)
        {
            case "Conv":
                if (IsFewChannelConv(node))
                {
                    return null;
                }
                return node.Input.Count >= 2 && _initializers.Contains(node.Input[1]) && !_initializers.Contains(node.Input[0])
                    && (node.Input.Count < 3 || node.Input[2].Length == 0 || _initializers.Contains(node.Input[2]))
                    ? [node.Input[0]]
                    : null;
            case "Gemm":
                var alpha = node.Float("alpha", 1f);
                var beta = node.Float("beta", 1f);
                var transA = node.Int("transA", 0);
                return node.Input.Count >= 2 && _initializers.Contains(node.Input[1]) && !_initializers.Contains(node.Input[0])
                    && (node.Input.Count < 3 || _initializers.Contains(node.Input[2])) && alpha == 1f && beta == 1f && transA == 0
                    ? [node.Input[0]]
                    : null;
            default:
                return node.Input.All(i => !_initializers.Contains(i)) ? [.. node.Input.Distinct()] : null;
        }
    }

    /// <summary>
    /// HardSwish(x) = x * clip(x + 3, 0, 6) / 6 in integer kernels: ORT's CPU provider has no quantized
    /// HardSwish, and running it in float between a DequantizeLinear and a QuantizeLinear made a
    /// full-resolution MobileNetV3 1.23x slower (6.59 against 5.35 ms per window at batch 16, 2 threads,
    /// alternating runs). Add(x, 3) -> QuantizeLinear with range [0, 6] (scale
    /// 6/255, zero point 0: saturation is the clip) -> DequantizeLinear with scale 1/255 (the division by
    /// 6) -> Mul(x, .): ORT fuses these into QLinearAdd and QLinearMul on uint8.
    /// The 3 has x's rank (all dimensions 1) where it is known: QLinearAdd broadcasts a rank-0 scalar over an
    /// NCHW tensor one innermost row at a time, and the quick EEG model's last HardSwish, [N, 960, 13, 1], which
    /// ORT leaves in NCHW, took 4.7 of the int8 model's 19.7 ms at batch 16 (1 thread, ORT's profiler); with a
    /// [1, 1, 1, 1] constant it took under 0.03 ms, and the int8 model's time per window at batch 16 went from 1.06x
    /// fp32's to 0.81x (2 threads) and 0.68x (1 thread).
    /// </summary>
    private static IEnumerable<NodeProto> IntegerHardSwish(string x, string output, int rank, GraphProto graph)
    {
        var gate = $"{output}/gate";
        foreach (var node in IntegerHardSigmoid(x, gate, 1f / 6f, 0.5f, rank, graph, prefix: output))
        {
            yield return node;
        }
        yield return OnnxTensors.Node("Mul", $"{output}/times_gate", [x, gate], output);
    }

    /// <summary>
    /// HardSigmoid(x) = clip(alpha x + beta, 0, 1) = alpha clip(x + beta / alpha, 0, 1 / alpha): Add(x, beta / alpha)
    /// -> QuantizeLinear with scale (1 / alpha) / 255 and zero point 0 (saturation is the clip) -> DequantizeLinear
    /// with scale 1 / 255 (the factor alpha). ORT turns the Add into a QLinearAdd, where float HardSigmoid needed a
    /// DequantizeLinear, the HardSigmoid and a QuantizeLinear: three kernel calls per squeeze-excitation gate.
    /// The constant is written as 255 steps of (beta / alpha) / 255, exact to float rounding.
    /// </summary>
    private static IEnumerable<NodeProto> IntegerHardSigmoid(string x, string output, float alpha, float beta, int rank, GraphProto graph, string prefix)
    {
        var offset = $"{prefix}/offset";
        graph.Initializer.Add(OnnxTensors.UInt8($"{offset}/quantized", [255], [.. Enumerable.Repeat(1L, rank)]));
        graph.Initializer.Add(OnnxTensors.Float($"{offset}/scale", [beta / alpha / 255f]));
        graph.Initializer.Add(OnnxTensors.UInt8($"{offset}/zero_point", [0]));
        var clipped = $"{prefix}/clipped";
        graph.Initializer.Add(OnnxTensors.Float($"{clipped}/scale", [1f / alpha / 255f]));
        graph.Initializer.Add(OnnxTensors.Float($"{clipped}/gate_scale", [1f / 255f]));
        graph.Initializer.Add(OnnxTensors.UInt8($"{clipped}/zero_point", [0]));
        var shifted = $"{prefix}/plus_offset";
        yield return OnnxTensors.Node("DequantizeLinear", $"{offset}/DequantizeLinear", [$"{offset}/quantized", $"{offset}/scale", $"{offset}/zero_point"], $"{offset}/dequantized");
        yield return OnnxTensors.Node("Add", shifted, [x, $"{offset}/dequantized"], shifted);
        yield return OnnxTensors.Node("QuantizeLinear", $"{clipped}/QuantizeLinear", [shifted, $"{clipped}/scale", $"{clipped}/zero_point"], $"{clipped}/quantized");
        yield return OnnxTensors.Node("DequantizeLinear", $"{clipped}/DequantizeLinear", [$"{clipped}/quantized", $"{clipped}/gate_scale", $"{clipped}/zero_point"], output);
    }

    private static (float Alpha, float Beta) HardSigmoidParameters(NodeProto node) =>
        (node.Float("alpha", 0.2f), node.Float("beta", 0.5f));

    /// <summary>
    /// The rank of each tensor where the ops this quantizer meets make it plain (0 where unknown): from the graph
    /// inputs' and initializers' shapes, through the ops that keep their input's rank, broadcasting binary ops,
    /// and Flatten and Gemm (rank 2).
    /// </summary>
    private static Dictionary<string, int> TensorRanks(GraphProto graph)
    {
        var ranks = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var input in graph.Input.Where(i => i.Type?.TensorType?.Shape is not null))
        {
            ranks[input.Name] = input.Type.TensorType.Shape.Dim.Count;
        }
        foreach (var initializer in graph.Initializer)
        {
            ranks[initializer.Name] = initializer.Dims.Count;
        }
        foreach (var node in graph.Node)
        {
            var rank = node.OpType switch
            {
                "Conv" or "BatchNormalization" or "Relu" or "HardSwish" or "HardSigmoid" or "Sigmoid" or "Clip" or "Identity"
                    or "AveragePool" or "MaxPool" or "GlobalAveragePool" or "Softmax" => ranks.GetValueOrDefault(node.Input[0]),
                "Add" or "Mul" or "Sub" or "Div" when node.Input.All(ranks.ContainsKey) => node.Input.Max(i => ranks[i]),
                "Flatten" or "Gemm" => 2,
                _ => 0,
            };
            if (rank > 0)
            {
                ranks[node.Output[0]] = rank;
            }
        }
        return ranks;
    }

    /// <summary>
    /// Convs that stay float. A dense k x k Conv (k > 1) reading at most <see cref="MaxFloatConvInputChannels"/>
    /// channels (the stem on the 3-channel input): its int8 GEMM has K = 3 x 3 x 3 = 27, too short to gain, and it
    /// would need the raw input quantized first (measured on a full-resolution MobileNetV3, alternating runs: no
    /// speed difference either way, and the float stem's drift was lower, mean KL 0.00060 against 0.00070).
    /// And a Conv reading and writing at most <see cref="MaxFloatConvChannels"/> channels (MobileNetV3's first
    /// block, 16 channels): MLAS's int8 depthwise kernel works 64 channels at a time, and that block's 16-channel
    /// depthwise Conv took 4x fp32's time (342 against 89 us, full resolution, batch 1). With the block float
    /// (and so its residual Add, see <see cref="Plan"/>) the int8 model took 0.634x fp32's time per window
    /// against 0.677x (batch 1) and 0.565x against 0.602x (batch 16), full resolution, 1 thread, alternating;
    /// the EEG quick model 0.690x against 0.714x and 0.556x against 0.575x.
    /// </summary>
    private bool IsFewChannelConv(NodeProto node) =>
        ConvShape.Of(node, _weights) is { } conv
        && ((conv.Group == 1 && conv.Inputs <= MaxFloatConvInputChannels && conv.KernelSize > 1)
            || (conv.Inputs <= MaxFloatConvChannels && conv.Outputs <= MaxFloatConvChannels));

    private const int MaxFloatConvChannels = 16;

    private const int MaxFloatConvInputChannels = 4;

    private static void QuantizeWeights(NodeProto node, Dictionary<string, TensorProto> initializers, float inputScale, GraphProto graph, List<NodeProto> nodes)
    {
        var weightTensor = initializers[node.Input[1]];
        var weights = OnnxTensors.Floats(weightTensor);
        var conv = node.OpType == "Conv";
        // Conv: one scale per output channel (axis 0). Gemm: one scale for the 6 x features classifier matrix.
        var q = conv ? WeightQuantization.PerChannel(weights, (int)weightTensor.Dims[0]) : WeightQuantization.PerTensor(weights);
        var w = weightTensor.Name;
        long[] scaleDims = conv ? [q.Channels] : [];
        graph.Initializer.Add(OnnxTensors.Int8($"{w}/quantized", q.Values, [.. weightTensor.Dims]));
        graph.Initializer.Add(OnnxTensors.Float($"{w}/scale", q.Scales, scaleDims));
        graph.Initializer.Add(OnnxTensors.Int8($"{w}/zero_point", new sbyte[q.Channels], scaleDims));
        nodes.Add(conv
            ? OnnxTensors.Node("DequantizeLinear", $"{w}/DequantizeLinear", [$"{w}/quantized", $"{w}/scale", $"{w}/zero_point"], $"{w}/dequantized", OnnxTensors.IntAttribute("axis", 0))
            : OnnxTensors.Node("DequantizeLinear", $"{w}/DequantizeLinear", [$"{w}/quantized", $"{w}/scale", $"{w}/zero_point"], $"{w}/dequantized"));
        node.Input[1] = $"{w}/dequantized";

        if (node.Input.Count > 2 && node.Input[2].Length > 0)
        {
            var biasTensor = initializers[node.Input[2]];
            var b = biasTensor.Name;
            var values = q.QuantizeBias(OnnxTensors.Floats(biasTensor), inputScale, out var biasScales);
            graph.Initializer.Add(OnnxTensors.Int32($"{b}/quantized", values, values.Length));
            // The bias zero point is 0 by definition (ORT's quantizer writes none either).
            nodes.Add(conv
                ? OnnxTensors.Node("DequantizeLinear", $"{b}/DequantizeLinear", [$"{b}/quantized", $"{b}/scale"], $"{b}/dequantized", OnnxTensors.IntAttribute("axis", 0))
                : OnnxTensors.Node("DequantizeLinear", $"{b}/DequantizeLinear", [$"{b}/quantized", $"{b}/scale"], $"{b}/dequantized"));
            graph.Initializer.Add(conv
                ? OnnxTensors.Float($"{b}/scale", biasScales, biasScales.Length)
                : OnnxTensors.Float($"{b}/scale", [biasScales[0]]));
            node.Input[2] = $"{b}/dequantized";
        }
    }
}
