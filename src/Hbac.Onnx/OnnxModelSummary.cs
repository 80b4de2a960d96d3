using Google.Protobuf;
using Hbac.Onnx.Proto;

namespace Hbac.Onnx;

/// <summary>
/// What an ONNX classifier file is, read from its graph without running it: the model name, the
/// declared input shape, the input downsampling it applies first (a leading AveragePool rows x columns
/// with the same strides on the input, as <see cref="Models.ModelOptions.InputPool"/> exports it; 1 when
/// none, i.e. the network sees the full-resolution input) and its weights.
/// </summary>
/// <param name="InputDownsample">The pool's factor over rows.</param>
/// <param name="InputDownsampleColumns">The pool's factor over columns (the same as over rows for a square pool).</param>
/// <param name="Parameters">Elements of every initializer except BatchNorm running statistics.</param>
/// <param name="NormStatistics">Elements of BatchNorm running means and variances.</param>
public sealed record OnnxModelSummary(string ModelName, IReadOnlyList<string> InputShape, int InputDownsample, int InputDownsampleColumns, long Parameters, long NormStatistics)
{
    /// <summary>"8" for a square pool, "5x6" (rows x columns) otherwise.</summary>
    public string DownsampleText => InputDownsample == InputDownsampleColumns ? $"{InputDownsample}" : $"{InputDownsample}x{InputDownsampleColumns}";

    /// <summary>Reads <paramref name="path"/>; <see cref="ModelFileException"/> when it is not an ONNX model with an input.</summary>
    public static OnnxModelSummary Read(string path)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw ModelFileException.InFile(path, $"not an ONNX model ({e.Message})", e);
        }
        var graph = model.Graph ?? throw ModelFileException.InFile(path, "ONNX model without a graph");
        var initialized = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var input = graph.Input.FirstOrDefault(i => !initialized.Contains(i.Name))
            ?? throw ModelFileException.InFile(path, "ONNX graph without an input");
        var shape = input.Type?.TensorType?.Shape?.Dim
            .Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : d.DimParam)
            .ToArray() ?? [];
        long parameters = 0, statistics = 0;
        foreach (var tensor in graph.Initializer)
        {
            var elements = tensor.Dims.Aggregate(1L, (product, d) => product * d);
            if (tensor.Name.EndsWith(".running_mean", StringComparison.Ordinal) || tensor.Name.EndsWith(".running_var", StringComparison.Ordinal))
            {
                statistics += elements;
            }
            else
            {
                parameters += elements;
            }
        }
        var name = model.MetadataProps.FirstOrDefault(p => p.Key == OnnxNames.ModelNameKey)?.Value;
        var (rows, columns) = Downsample(graph, input.Name);
        return new OnnxModelSummary(string.IsNullOrEmpty(name) ? graph.Name : name, shape, rows, columns, parameters, statistics);
    }

    /// <summary>The resolution the network's first layer actually sees, e.g. [N,3,400,300], [N,3,50,37] for k = 8 or [N,3,80,50] for 5x6.</summary>
    public string EffectiveInputShape =>
        InputShape.Count == 4 && int.TryParse(InputShape[2], out var height) && int.TryParse(InputShape[3], out var width)
            ? $"[{InputShape[0]},{InputShape[1]},{height / InputDownsample},{width / InputDownsampleColumns}]"
            : $"[{string.Join(",", InputShape)}]";

    private static (int Rows, int Columns) Downsample(GraphProto graph, string input)
    {
        var first = graph.Node.FirstOrDefault(n => n.Input.Contains(input));
        if (first is null || first.OpType != "AveragePool")
        {
            return (1, 1);
        }
        var kernel = first.Ints("kernel_shape");
        var strides = first.Ints("strides");
        return kernel is { Count: 2 } && strides is { Count: 2 } && strides[0] == kernel[0] && strides[1] == kernel[1]
            ? ((int)kernel[0], (int)kernel[1])
            : (1, 1);
    }
}
