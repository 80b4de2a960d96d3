using Google.Protobuf;
using Hbac.Onnx.Proto;
using Hbac.Onnx.Quantization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Hbac.Onnx.Tests.Quantization;

/// <summary>
/// A small classifier in the exporter's shape, written by hand so these tests need no TorchSharp:
/// Conv -> BN -> ReLU, depthwise Conv -> BN -> HardSwish, squeeze-excitation (GlobalAveragePool, Conv,
/// ReLU, Conv, HardSigmoid, Mul), a residual Add, GlobalAveragePool -> Flatten -> Gemm, logits and
/// probabilities. Input [N, 3, Size, Size]; BatchNorm statistics moved away from identity.
/// </summary>
internal static class TinyGraph
{
    public const int Size = 16;
    /// <summary>More than the 16 channels below which the quantizer keeps a Conv float.</summary>
    public const int Channels = 24;

    public static ModelProto Create(int seed = 1)
    {
        var random = new Random(seed);
        float[] Randn(int n, double std) => Enumerable.Range(0, n).Select(_ => (float)(Gaussian(random) * std)).ToArray();
        var graph = new GraphProto { Name = "tiny" };
        void Init(string name, float[] values, params long[] dims) => graph.Initializer.Add(OnnxTensors.Float(name, values, dims));
        void BatchNorm(string prefix)
        {
            Init($"{prefix}.weight", Randn(Channels, 0.2).Select(v => 1 + v).ToArray(), Channels);
            Init($"{prefix}.bias", Randn(Channels, 0.1), Channels);
            Init($"{prefix}.running_mean", Randn(Channels, 0.3), Channels);
            Init($"{prefix}.running_var", Randn(Channels, 0.3).Select(v => 0.5f + Math.Abs(v)).ToArray(), Channels);
        }
        Init("conv1.weight", Randn(Channels * 3 * 9, 0.3), Channels, 3, 3, 3);
        BatchNorm("bn1");
        Init("dw.weight", Randn(Channels * 9, 0.3), Channels, 1, 3, 3);
        BatchNorm("bn2");
        Init("se.reduce.weight", Randn(4 * Channels, 0.3), 4, Channels, 1, 1);
        Init("se.reduce.bias", Randn(4, 0.1), 4);
        Init("se.expand.weight", Randn(Channels * 4, 0.3), Channels, 4, 1, 1);
        Init("se.expand.bias", Randn(Channels, 0.1), Channels);
        Init("classifier.weight", Randn(6 * Channels, 1.0), 6, Channels);
        Init("classifier.bias", Randn(6, 0.1), 6);

        var counter = 0;
        string Node(string op, string[] inputs, params AttributeProto[] attributes)
        {
            var output = $"/{op}_{counter}";
            graph.Node.Add(OnnxTensors.Node(op, $"/{op}_node_{counter++}", inputs, output, attributes));
            return output;
        }
        AttributeProto Ints(string name, params long[] values)
        {
            var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            a.Ints.AddRange(values);
            return a;
        }
        AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };
        string Conv(string x, string[] weights, int kernel, int groups) => Node("Conv", [x, .. weights],
            Ints("kernel_shape", kernel, kernel), Ints("pads", Enumerable.Repeat((long)(kernel / 2), 4).ToArray()), OnnxTensors.IntAttribute("group", groups));
        string Bn(string x, string prefix) => Node("BatchNormalization",
            [x, $"{prefix}.weight", $"{prefix}.bias", $"{prefix}.running_mean", $"{prefix}.running_var"], Float("epsilon", 1e-3f));

        var a1 = Node("Relu", [Bn(Conv("input", ["conv1.weight"], 3, 1), "bn1")]);
        var a2 = Node("HardSwish", [Bn(Conv(a1, ["dw.weight"], 3, Channels), "bn2")]);
        var squeezed = Node("Relu", [Conv(Node("GlobalAveragePool", [a2]), ["se.reduce.weight", "se.reduce.bias"], 1, 1)]);
        var gate = Node("HardSigmoid", [Conv(squeezed, ["se.expand.weight", "se.expand.bias"], 1, 1)], Float("alpha", 1f / 6f), Float("beta", 0.5f));
        var residual = Node("Add", [Node("Mul", [a2, gate]), a1]);
        var flat = Node("Flatten", [Node("GlobalAveragePool", [residual])], OnnxTensors.IntAttribute("axis", 1));
        var logits = Node("Gemm", [flat, "classifier.weight", "classifier.bias"], OnnxTensors.IntAttribute("transB", 1));
        graph.Node.Add(OnnxTensors.Node("Identity", "/identity", [logits], OnnxNames.Logits));
        graph.Node.Add(OnnxTensors.Node("Softmax", "/softmax", [OnnxNames.Logits], OnnxNames.Probabilities, OnnxTensors.IntAttribute("axis", 1)));

        graph.Input.Add(Value(OnnxNames.Input, 3, Size, Size));
        graph.Output.Add(Value(OnnxNames.Logits, 6));
        graph.Output.Add(Value(OnnxNames.Probabilities, 6));
        var model = new ModelProto { IrVersion = 8, ProducerName = "tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        model.MetadataProps.Add(new StringStringEntryProto { Key = OnnxNames.ModelNameKey, Value = "tiny" });
        return model;
    }

    /// <summary>[n, 3, Size, Size] standard normal inputs.</summary>
    public static float[] Inputs(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n * 3 * Size * Size).Select(_ => (float)Gaussian(random)).ToArray();
    }

    /// <summary>The model's <paramref name="output"/> for <paramref name="n"/> inputs, run by ONNX Runtime on CPU.</summary>
    public static float[] Run(byte[] model, float[] inputs, int n, string output = OnnxNames.Probabilities)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        using var input = OrtValue.CreateTensorValueFromMemory(inputs, [n, 3, Size, Size]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [OnnxNames.Input], [input], [output]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static ValueInfoProto Value(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = OnnxNames.BatchDimension });
        shape.Dim.AddRange(dims.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    public static byte[] Bytes(this ModelProto model) => model.ToByteArray();
}
