using Google.Protobuf;
using Hbac.Onnx.Proto;

namespace Hbac.Onnx.Tests;

/// <summary>The inference side accepts any ONNX classifier with our input contract, whoever wrote it.</summary>
public sealed class OnnxClassifierTests : IDisposable
{
    private const int Window = 3 * 400 * 300;
    private readonly string _dir = Directory.CreateTempSubdirectory("hbac-ort-").FullName;

    // logits = W * channel_means + b; a foreign model that only has logits under another name.
    private static readonly float[] W =
    [
        1, 0, 0,
        0, 1, 0,
        0, 0, 1,
        1, 1, 0,
        -1, 0, 1,
        0, 0, 0,
    ];
    private static readonly float[] B = [0, 0, 0, 0, 0, 0.5f];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void LogitsOnlyModelGetsSoftmaxApplied()
    {
        var path = Write("logits-only.onnx", TinyLinearModel("x", "scores", [-1, 3, 400, 300], dimParam: "batch"));
        using var classifier = OnnxClassifier.Open(path);
        Assert.Equal("x", classifier.InputName);
        Assert.Equal("scores", classifier.OutputName);
        Assert.False(classifier.OutputIsProbabilities);
        Assert.Equal("CPU", classifier.ExecutionProvider);

        // Window 0: channel means (1, 2, -1); window 1: all zeros.
        var batch = new float[2 * Window];
        Array.Fill(batch, 1f, 0, 120_000);
        Array.Fill(batch, 2f, 120_000, 120_000);
        Array.Fill(batch, -1f, 240_000, 120_000);
        var rows = classifier.Predict(batch, 2);

        Assert.Equal(Softmax([1, 2, -1, 3, -2, 0.5f]), rows[0], new FloatComparer(1e-6f));
        Assert.Equal(Softmax([0, 0, 0, 0, 0, 0.5f]), rows[1], new FloatComparer(1e-6f));
    }

    [Fact]
    public void AnOutputThatIsNotFiniteFailsByWindowInsteadOfNamingAClass()
    {
        var path = Write("overflow.onnx", TinyLinearModel("x", "scores", [-1, 3, 400, 300], dimParam: "batch"));
        using var classifier = OnnxClassifier.Open(path);
        // Window 1 of 2 is zeros; window 2's channel means 3e38 overflow the logits to infinity, the softmax to NaN.
        var batch = new float[2 * Window];
        Array.Fill(batch, 3e38f, Window, 240_000);

        var error = Assert.Throws<ModelOutputException>(() => classifier.Predict(batch, 2));

        Assert.StartsWith($"{path}: output 'scores' holds NaN for window 2 of 2, not a probability; no class is named from it", error.Message);
    }

    [Fact]
    public void FixedBatchOfOneModelsAreRunPerWindow()
    {
        var path = Write("batch1.onnx", TinyLinearModel("input", "out", [1, 3, 400, 300], dimParam: null));
        using var classifier = OnnxClassifier.Open(path);
        var batch = new float[3 * Window];
        Array.Fill(batch, 1f, 2 * Window, 120_000); // third window: channel means (1, 0, 0)
        var rows = classifier.Predict(batch, 3);
        Assert.Equal(3, rows.Length);
        Assert.Equal(rows[0], rows[1]);
        Assert.Equal(Softmax([1, 0, 0, 1, -1, 0.5f]), rows[2], new FloatComparer(1e-6f));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public void ScoringInPlaceGivesWhatTheCopyingPathGives(int batchDimension)
    {
        var path = Write("bound.onnx", TinyLinearModel("x", "scores", [batchDimension, 3, 400, 300], dimParam: batchDimension < 0 ? "N" : null));
        using var classifier = OnnxClassifier.Open(path);
        // Two windows behind one unused one: the memory the service binds starts inside its array.
        var random = new Random(4);
        var values = Enumerable.Range(0, 3 * Window).Select(_ => (float)random.NextDouble()).ToArray();
        var copied = classifier.Predict(values.AsSpan(Window), 2);
        var bound = classifier.Predict(values.AsMemory(Window), 2);
        Assert.Equal(2, bound.Length);
        Assert.Equal(copied[0], bound[0]);
        Assert.Equal(copied[1], bound[1]);
        Assert.NotEqual(bound[0], bound[1]);
        Assert.Throws<ArgumentException>(() => classifier.Predict(values.AsMemory(1), 2));
    }

    [Fact]
    public void WrongInputShapeIsRefusedNamingFileAndShapes()
    {
        var path = Write("imagenet.onnx", TinyLinearModel("input", "logits", [-1, 3, 224, 224], dimParam: "N"));
        var e = Assert.Throws<ModelFileException>(() => OnnxClassifier.Open(path));
        Assert.Equal($"{path}: input 'input' has shape [N,3,224,224], expected [N,3,400,300]", e.Message);
    }

    [Fact]
    public void MissingAndCorruptFilesAreOneLine()
    {
        var missing = Path.Combine(_dir, "none.onnx");
        Assert.Equal($"{missing}: model file not found", Assert.Throws<ModelFileException>(() => OnnxClassifier.Open(missing)).Message);

        var corrupt = Path.Combine(_dir, "corrupt.onnx");
        File.WriteAllText(corrupt, "this is not a model");
        var e = Assert.Throws<ModelFileException>(() => OnnxClassifier.Open(corrupt));
        Assert.StartsWith($"{corrupt}: not a loadable ONNX model", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void WrongBatchLengthIsAnArgumentError()
    {
        var path = Write("ok.onnx", TinyLinearModel("input", "logits", [-1, 3, 400, 300], dimParam: "N"));
        using var classifier = OnnxClassifier.Open(path);
        Assert.Throws<ArgumentException>(() => classifier.Predict(new float[Window + 1], 1));
    }

    private string Write(string name, ModelProto model)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static float[] Softmax(float[] logits)
    {
        var max = logits.Max();
        var exp = logits.Select(v => Math.Exp(v - max)).ToArray();
        return exp.Select(v => (float)(v / exp.Sum())).ToArray();
    }

    internal static ModelProto TinyLinearModel(string input, string output, long[] inputShape, string? dimParam)
    {
        var graph = new GraphProto { Name = "tiny" };
        graph.Initializer.Add(FloatTensor("W", [6, 3], W));
        graph.Initializer.Add(FloatTensor("B", [6], B));
        graph.Node.Add(Node("GlobalAveragePool", [input], "pooled"));
        var flatten = Node("Flatten", ["pooled"], "flat");
        flatten.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        graph.Node.Add(flatten);
        var gemm = Node("Gemm", ["flat", "W", "B"], output);
        gemm.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        graph.Node.Add(gemm);
        graph.Input.Add(Value(input, inputShape, dimParam));
        graph.Output.Add(Value(output, [-1, 6], dimParam));
        var model = new ModelProto { IrVersion = 8, ProducerName = "someone-else", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = 13 });
        return model;
    }

    private static NodeProto Node(string op, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = op };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    private static TensorProto FloatTensor(string name, long[] dims, float[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(values);
        return tensor;
    }

    private static ValueInfoProto Value(string name, long[] dims, string? dimParam)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d < 0
                ? new TensorShapeProto.Types.Dimension { DimParam = dimParam ?? "N" }
                : new TensorShapeProto.Types.Dimension { DimValue = d });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    internal sealed class FloatComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
