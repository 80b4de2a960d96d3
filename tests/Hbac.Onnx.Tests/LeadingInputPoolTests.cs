using Google.Protobuf;
using Hbac.Eeg.Windows;
using Hbac.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;

namespace Hbac.Onnx.Tests;

/// <summary>A model whose first node average-pools its input is served without that node, the pool done in C#.</summary>
public sealed class LeadingInputPoolTests : IDisposable
{
    private const int Window = 3 * 400 * 300;
    private readonly string _dir = Directory.CreateTempSubdirectory("hbac-pool-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(1, 30, 400, 10)]
    [InlineData(8, 8, 50, 37)] // the quick spectrogram profile's: the last 4 of 300 columns fill no block and are dropped, as ONNX's floor rounding drops them
    public void AModelThatPoolsFirstRunsWithoutThePoolAndTakesWholeOrPooledInputs(int rows, int columns, int height, int width)
    {
        var path = Write("pools.onnx", PoolThenLinear(rows, columns));
        using var classifier = OnnxClassifier.Open(path);
        var batch = RandomInputs(2, seed: 3);

        var pooling = new InputPooling(rows, columns);
        Assert.Equal(pooling, classifier.Pooling);
        Assert.Equal(3 * height * width, classifier.InputSize);
        var whole = classifier.Predict(batch.AsMemory(), 2);
        var pooled = new float[2 * pooling.Size];
        pooling.Pool(batch, 2, pooled);
        var fromPooled = classifier.Predict(pooled.AsMemory(), 2);

        // The same pooled floats either way; ONNX Runtime's own pool (the file as written) agrees to rounding.
        Assert.Equal(whole.SelectMany(r => r), fromPooled.SelectMany(r => r));
        var reference = OnnxRuntimeProbabilities(path, batch, 2);
        Assert.All(whole.SelectMany(r => r).Zip(reference), pair => Assert.Equal(pair.Second, pair.First, 1e-5f));
        Assert.Contains(whole[0], p => p > 0.2f); // the weights make the classes differ: not a uniform answer
        var error = Assert.Throws<ArgumentException>(() => classifier.Predict(new float[1000].AsMemory(), 1));
        Assert.Contains($"or 1 x {3 * height * width} pooled ([1,3,{height},{width}])", error.Message);
        // What the quantizer's fusion check and the node profile count is the graph the classifier runs.
        Assert.DoesNotContain("AveragePool", Hbac.Onnx.Quantization.OptimizedGraph.NodeTypes(path).Keys);
        Assert.DoesNotContain(Hbac.Onnx.Profiling.NodeProfile.Measure(path, batch: 1, runs: 1, threads: 1).OpTypes, t => t.OpType == "AveragePool");
    }

    public static TheoryData<string> NotStripped => new() { "8x8 rounding up (ceil_mode 1)", "strides 1x15", "padded", "input read twice", "max pool" };

    [Theory]
    [MemberData(nameof(NotStripped))]
    public void APoolThatIsNotAPlainTilingAverageOfTheInputIsLeftToTheModel(string variant)
    {
        var model = variant switch
        {
            "8x8 rounding up (ceil_mode 1)" => PoolThenLinear(8, 8, ceilMode: true),
            "strides 1x15" => PoolThenLinear(1, 30, strides: [1, 15]),
            "padded" => PoolThenLinear(1, 30, pads: [0, 0, 0, 15]),
            "input read twice" => PoolThenLinear(1, 30, alsoReadInput: true),
            _ => PoolThenLinear(1, 30, op: "MaxPool"),
        };
        var path = Write("kept.onnx", model);
        using var classifier = OnnxClassifier.Open(path);
        var batch = RandomInputs(1, seed: 4);

        Assert.True(classifier.Pooling.IsNone, variant);
        Assert.Equal(Window, classifier.InputSize);
        Assert.Equal(OnnxRuntimeProbabilities(path, batch, 1), classifier.Predict(batch.AsMemory(), 1)[0]);
        Assert.Null(LeadingInputPool.TryStrip(model.ToByteArray()));
    }

    [Fact]
    public void TheStrippedModelKeepsEveryOtherNodeWeightAndMetadataEntry()
    {
        var model = PoolThenLinear(1, 30);
        var (bytes, pooling) = LeadingInputPool.TryStrip(model.ToByteArray())!.Value;
        var stripped = ModelProto.Parser.ParseFrom(bytes);

        Assert.Equal(new InputPooling(1, 30), pooling);
        Assert.Equal(model.Graph.Node.Skip(1).Select(n => n.OpType), stripped.Graph.Node.Select(n => n.OpType));
        Assert.Equal("input", stripped.Graph.Node[0].Input[0]);
        Assert.Equal([-1L, 3, 400, 10], stripped.Graph.Input[0].Type.TensorType.Shape.Dim.Select(d => d.DimValue == 0 ? -1 : d.DimValue));
        Assert.Equal(model.Graph.Initializer, stripped.Graph.Initializer);
        Assert.Equal(model.MetadataProps, stripped.MetadataProps);
    }

    private string Write(string name, ModelProto model)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static float[] RandomInputs(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n * Window).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
    }

    /// <summary>The file's probabilities as ONNX Runtime computes them, with the pool node in place.</summary>
    private static float[] OnnxRuntimeProbabilities(string path, float[] batch, int n)
    {
        using var session = new InferenceSession(path);
        using var input = OrtValue.CreateTensorValueFromMemory(batch, [n, 3, 400, 300]);
        using var results = session.Run(new RunOptions(), ["input"], [input], ["probabilities"]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>
    /// input -> pool (kernel <paramref name="rows"/> x <paramref name="columns"/>) -> Flatten -> Gemm -> Softmax;
    /// with <paramref name="alsoReadInput"/> the input also feeds a second (unused-by-the-pool) branch that is added back.
    /// </summary>
    private static ModelProto PoolThenLinear(int rows, int columns, long[]? strides = null, long[]? pads = null, bool alsoReadInput = false, string op = "AveragePool", bool ceilMode = false)
    {
        var graph = new GraphProto { Name = "pool-then-linear" };
        var pool = new NodeProto { OpType = op, Name = "pool" };
        pool.Input.Add("input");
        pool.Output.Add("pooled");
        pool.Attribute.Add(Ints("kernel_shape", rows, columns));
        pool.Attribute.Add(Ints("strides", strides ?? [rows, columns]));
        if (pads is not null)
        {
            pool.Attribute.Add(Ints("pads", pads));
        }
        if (ceilMode)
        {
            pool.Attribute.Add(new AttributeProto { Name = "ceil_mode", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        }
        graph.Node.Add(pool);
        var features = "pooled";
        if (alsoReadInput)
        {
            graph.Node.Add(Node("ReduceMean", ["input"], "mean", Ints("axes", 2, 3)));
            graph.Node.Add(Node("Add", ["pooled", "mean"], "shifted"));
            features = "shifted";
        }
        graph.Node.Add(Node("Flatten", [features], "flat", new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 }));
        graph.Node.Add(Node("Gemm", ["flat", "W", "B"], "logits", new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 }));
        graph.Node.Add(Node("Softmax", ["logits"], "probabilities", new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 }));
        var pooledHeight = pads is null ? (400 - rows) / (int)(strides?[0] ?? rows) + 1 : 400 / rows;
        var stride = (int)(strides?[1] ?? columns);
        var span = 300 + (pads is null ? 0 : (int)(pads[1] + pads[3])) - columns;
        var pooledWidth = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
        var features2 = 3 * pooledHeight * pooledWidth;
        var random = new Random(rows * 100 + columns);
        var weights = new TensorProto { Name = "W", DataType = (int)TensorProto.Types.DataType.Float };
        weights.Dims.AddRange([6, features2]);
        weights.FloatData.AddRange(Enumerable.Range(0, 6 * features2).Select(_ => (float)(random.NextDouble() - 0.5) * 0.2f));
        var bias = new TensorProto { Name = "B", DataType = (int)TensorProto.Types.DataType.Float };
        bias.Dims.Add(6);
        bias.FloatData.AddRange([0, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f]);
        graph.Initializer.Add(weights);
        graph.Initializer.Add(bias);
        graph.Input.Add(Value("input", [-1, 3, 400, 300]));
        graph.Output.Add(Value("probabilities", [-1, 6]));
        var model = new ModelProto { IrVersion = 8, ProducerName = "tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = 17 });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "hbac.input", Value = "eeg" });
        return model;
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static NodeProto Node(string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static ValueInfoProto Value(string name, long[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(dims.Select(d => d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = d }));
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
