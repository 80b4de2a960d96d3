using Google.Protobuf;
using Hbac.Learning.Models;
using Hbac.Onnx.Proto;
using static TorchSharp.torch;

namespace Hbac.Learning.Onnx;

/// <summary>
/// Appends nodes to an ONNX graph. Weights are referenced by their state-dict name and become
/// initializers of the same name on first use, so an exported file maps back to TorchSharp by name.
/// Intermediate values get names with a slash, which no state-dict key has.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly IReadOnlyDictionary<string, Tensor> _state;
    private readonly HashSet<string> _initialized = [];
    private int _counter;

    public OnnxGraphBuilder(GraphProto graph, IReadOnlyDictionary<string, Tensor> state)
    {
        Graph = graph;
        _state = state;
    }

    public GraphProto Graph { get; }

    /// <summary>State-dict names written as initializers so far.</summary>
    public IReadOnlyCollection<string> Initialized => _initialized;

    public string Conv(string x, string prefix, bool hasBias, int kernel, int stride, int groups)
    {
        var pad = (kernel - 1) / 2;
        var inputs = hasBias
            ? new[] { x, Weight($"{prefix}.weight"), Weight($"{prefix}.bias") }
            : new[] { x, Weight($"{prefix}.weight") };
        return Node("Conv", inputs,
            Ints("kernel_shape", kernel, kernel),
            Ints("strides", stride, stride),
            Ints("pads", pad, pad, pad, pad),
            Ints("dilations", 1, 1),
            Int("group", groups));
    }

    public string BatchNorm(string x, string prefix, double eps) =>
        Node("BatchNormalization",
            [x, Weight($"{prefix}.weight"), Weight($"{prefix}.bias"), Weight($"{prefix}.running_mean"), Weight($"{prefix}.running_var")],
            Float("epsilon", (float)eps));

    public string Activation(string x, Activation activation) => activation switch
    {
        Models.Activation.None => x,
        Models.Activation.ReLU => Node("Relu", [x]),
        Models.Activation.Hardswish => Node("HardSwish", [x]),
        Models.Activation.SiLU => Mul(x, Sigmoid(x)),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, null),
    };

    /// <summary>PyTorch's hardsigmoid = clip(x/6 + 1/2, 0, 1); ONNX's default alpha is 0.2, so both are explicit.</summary>
    public string HardSigmoid(string x) => Node("HardSigmoid", [x], Float("alpha", 1f / 6f), Float("beta", 0.5f));

    public string Sigmoid(string x) => Node("Sigmoid", [x]);

    public string Mul(string a, string b) => Node("Mul", [a, b]);

    public string Add(string a, string b) => Node("Add", [a, b]);

    public string GlobalAveragePool(string x) => Node("GlobalAveragePool", [x]);

    public string AveragePool(string x, int kernel) => AveragePool(x, kernel, kernel);

    public string AveragePool(string x, int kernelRows, int kernelColumns) =>
        Node("AveragePool", [x], Ints("kernel_shape", kernelRows, kernelColumns), Ints("strides", kernelRows, kernelColumns));

    /// <summary>Global average pooling, flatten, then the Linear layer <paramref name="linear"/> as Gemm.</summary>
    public string GlobalPoolAndLinear(string x, string linear)
    {
        var flat = Node("Flatten", [GlobalAveragePool(x)], Int("axis", 1));
        return Node("Gemm", [flat, Weight($"{linear}.weight"), Weight($"{linear}.bias")], Int("transB", 1));
    }

    public string Softmax(string x, string output) => NodeTo("Softmax", [x], output, Int("axis", 1));

    public string Identity(string x, string output) => NodeTo("Identity", [x], output);

    private string Node(string op, string[] inputs, params AttributeProto[] attributes) =>
        NodeTo(op, inputs, $"/{op}_{_counter}", attributes);

    private string NodeTo(string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = $"/{op}_node_{_counter++}" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    private string Weight(string name)
    {
        if (_initialized.Add(name))
        {
            if (!_state.TryGetValue(name, out var tensor))
            {
                throw new InvalidOperationException($"ONNX export: the model has no parameter or buffer named '{name}'");
            }
            Graph.Initializer.Add(ToTensorProto(name, tensor));
        }
        return name;
    }

    internal static TensorProto ToTensorProto(string name, Tensor tensor)
    {
        using var cpu = tensor.detach().cpu().to(ScalarType.Float32).contiguous();
        // One copy of the native storage (data<float>() copies value by value); ONNX raw_data is little-endian, as is x64/arm64.
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(cpu.bytes) };
        proto.Dims.AddRange(cpu.shape);
        return proto;
    }

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }
}
