using Google.Protobuf;

namespace Hbac.Inference.Tests.Support;

/// <summary>
/// A hand-written ONNX classifier small enough to load in milliseconds: GlobalAveragePool over each
/// input channel, then Gemm with <see cref="Weights"/> [3,6] and <see cref="Bias"/> [6], output
/// <c>logits</c> [N,6]. Its answer is known in closed form (<see cref="Expected"/>), so tests can
/// tell versions apart and check every routed result. With <paramref name="pooling"/> =
/// "GlobalMaxPool" it answers on each channel's peak instead, so windows normalised to mean 0
/// (every real model input) still get different answers.
/// </summary>
internal sealed class TinyOnnxModel(float[] weights, float[] bias, int height = 400, int width = 300, string pooling = "GlobalAveragePool")
{
    public float[] Weights { get; } = weights;

    public float[] Bias { get; } = bias;

    public string Pooling { get; } = pooling;

    /// <summary>The input kind the model declares in its metadata (<c>hbac.input</c>); null writes no such key.</summary>
    public string? InputKind { get; init; }

    /// <summary>
    /// The EEG preprocessing version an "eeg" model records (<c>hbac.preprocessing</c>): this build's by
    /// default, as training writes it; null writes no such key (a model from before versions were recorded).
    /// </summary>
    public string? EegPreprocessingVersion { get; init; } = Hbac.Eeg.Windows.EegWindow.PreprocessingVersion;

    /// <summary>
    /// An AveragePool of this kernel (rows, columns; strides the same) on the input before the global pool, as the
    /// quick EEG profile's network starts (null: none). The service runs the model without it and pools in C#.
    /// </summary>
    public (int Rows, int Columns)? LeadingPool { get; init; }

    /// <summary>What the model declares in <c>hbac.precision</c>; null writes no such key (an fp32 export).</summary>
    public string? Precision { get; init; }

    /// <summary>This model declaring itself the int8 quantization of a version (<c>hbac.precision = int8</c>).</summary>
    public TinyOnnxModel AsInt8() => new(Weights, Bias, pooling: Pooling) { InputKind = InputKind, EegPreprocessingVersion = EegPreprocessingVersion, Precision = "int8" };

    /// <summary>A model whose answer on a zero-mean input is softmax(bias) with class <paramref name="favoured"/> on top.</summary>
    public static TinyOnnxModel Favouring(int favoured, float weight = 0.5f, string pooling = "GlobalAveragePool")
    {
        var bias = new float[6];
        bias[favoured] = 2f;
        var weights = new float[18];
        for (var k = 0; k < 6; k++)
        {
            weights[k] = weight * (k + 1) / 6f;
        }
        return new TinyOnnxModel(weights, bias, pooling: pooling);
    }

    /// <summary>The same model declaring itself an EEG-window model (<c>hbac.input = eeg</c>), served to StreamEeg.</summary>
    public static TinyOnnxModel EegFavouring(int favoured, float weight = 0.5f, string pooling = "GlobalAveragePool")
    {
        var model = Favouring(favoured, weight, pooling);
        return new TinyOnnxModel(model.Weights, model.Bias, pooling: pooling) { InputKind = "eeg" };
    }

    /// <summary>softmax(means . W + b) for per-channel input means (per-channel maxima for GlobalMaxPool).</summary>
    public float[] Expected(ReadOnlySpan<float> channelMeans)
    {
        var logits = new double[6];
        for (var k = 0; k < 6; k++)
        {
            logits[k] = Bias[k];
            for (var c = 0; c < 3; c++)
            {
                logits[k] += channelMeans[c] * Weights[c * 6 + k];
            }
        }
        var max = logits.Max();
        var exp = logits.Select(l => Math.Exp(l - max)).ToArray();
        var sum = exp.Sum();
        return exp.Select(e => (float)(e / sum)).ToArray();
    }

    public void Save(string path) => File.WriteAllBytes(path, ToBytes());

    /// <summary>Writes <c>&lt;repository&gt;/&lt;version&gt;/model.onnx + card.json</c> the way the trainer does (temp folder, then rename).</summary>
    public string Publish(string repository, string version, double validationLoss = 0.5, TinyOnnxModel? int8 = null)
    {
        var temp = Path.Combine(repository, "." + version + ".tmp");
        Directory.CreateDirectory(temp);
        Save(Path.Combine(temp, "model.onnx"));
        int8?.Save(Path.Combine(temp, "model.int8.onnx"));
        File.WriteAllText(Path.Combine(temp, "card.json"),
            $$"""{ "model": "mobilenetv3", "input": "{{InputKind ?? "spectrogram"}}", "best_validation_loss": {{validationLoss.ToString(System.Globalization.CultureInfo.InvariantCulture)}}, "created_utc": "2026-11-23T22:00:00+00:00" }""");
        var folder = Path.Combine(repository, version);
        Directory.Move(temp, folder);
        return folder;
    }

    public byte[] ToBytes()
    {
        var graph = Message(g =>
        {
            var first = "input";
            if (LeadingPool is { } lead)
            {
                Field(g, 1, Message(n =>
                {
                    Text(n, 1, "input");
                    Text(n, 2, "lead");
                    Text(n, 3, "lead");
                    Text(n, 4, "AveragePool");
                    Field(n, 5, Ints("kernel_shape", lead.Rows, lead.Columns));
                    Field(n, 5, Ints("strides", lead.Rows, lead.Columns));
                }));
                first = "lead";
            }
            Field(g, 1, Node(Pooling, [first], "pooled"));
            Field(g, 1, Node("Flatten", ["pooled"], "flat", ("axis", 1)));
            Field(g, 1, Node("Gemm", ["flat", "W", "B"], "logits"));
            Text(g, 2, "tiny");
            Field(g, 5, Initializer("W", [3, 6], Weights));
            Field(g, 5, Initializer("B", [6], Bias));
            Field(g, 11, ValueInfo("input", ["N", 3, height, width]));
            Field(g, 12, ValueInfo("logits", ["N", 6]));
        });
        return Message(m =>
        {
            Int(m, 1, 8);
            Text(m, 2, "hbac-tests");
            Field(m, 7, graph);
            Field(m, 8, Message(o => { Text(o, 1, ""); Int(o, 2, 17); }));
            if (Precision is { } precision)
            {
                Field(m, 14, Message(e => { Text(e, 1, "hbac.precision"); Text(e, 2, precision); }));
            }
            if (InputKind is { } kind)
            {
                Field(m, 14, Message(e => { Text(e, 1, "hbac.input"); Text(e, 2, kind); }));
                if (kind == "eeg" && EegPreprocessingVersion is { } version)
                {
                    var parameters = new Dictionary<string, string>(Hbac.Eeg.Windows.EegWindow.Parameters) { ["version"] = version };
                    Field(m, 14, Message(e => { Text(e, 1, "hbac.preprocessing"); Text(e, 2, System.Text.Json.JsonSerializer.Serialize(parameters)); }));
                }
            }
        });
    }

    private static byte[] Node(string op, string[] inputs, string output, (string Name, long Value)? attribute = null) => Message(n =>
    {
        foreach (var input in inputs)
        {
            Text(n, 1, input);
        }
        Text(n, 2, output);
        Text(n, 3, op.ToLowerInvariant());
        Text(n, 4, op);
        if (attribute is { } a)
        {
            Field(n, 5, Message(at => { Text(at, 1, a.Name); Int(at, 3, a.Value); Int(at, 20, 2); }));
        }
    });

    private static byte[] Ints(string name, params long[] values) => Message(a =>
    {
        Text(a, 1, name);
        foreach (var value in values)
        {
            Int(a, 8, value);
        }
        Int(a, 20, 7); // INTS
    });

    private static byte[] Initializer(string name, long[] dims, float[] values) => Message(t =>
    {
        foreach (var d in dims)
        {
            Int(t, 1, d);
        }
        Int(t, 2, 1);
        Text(t, 8, name);
        var raw = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        Field(t, 9, raw);
    });

    private static byte[] ValueInfo(string name, object[] dims) => Message(v =>
    {
        Text(v, 1, name);
        var shape = Message(s =>
        {
            foreach (var dim in dims)
            {
                Field(s, 1, Message(d =>
                {
                    if (dim is string param)
                    {
                        Text(d, 2, param);
                    }
                    else
                    {
                        Int(d, 1, Convert.ToInt64(dim));
                    }
                }));
            }
        });
        var tensorType = Message(t => { Int(t, 1, 1); Field(t, 2, shape); });
        Field(v, 2, Message(t => Field(t, 1, tensorType)));
    });

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        write(output);
        output.Flush();
        return stream.ToArray();
    }

    private static void Field(CodedOutputStream o, int number, byte[] bytes)
    {
        o.WriteTag(number, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(bytes));
    }

    private static void Text(CodedOutputStream o, int number, string value)
    {
        o.WriteTag(number, WireFormat.WireType.LengthDelimited);
        o.WriteString(value);
    }

    private static void Int(CodedOutputStream o, int number, long value)
    {
        o.WriteTag(number, WireFormat.WireType.Varint);
        o.WriteInt64(value);
    }
}
