using System.Reflection;
using System.Text.Json;
using Google.Protobuf;
using Hbac.Learning.Models;
using Hbac.Onnx;
using Hbac.Onnx.Proto;
using TorchSharp;
using static TorchSharp.torch;

namespace Hbac.Learning.Onnx;

/// <summary>
/// Writes a model's eval-mode graph as a standard ONNX file (IR 8, opset 17) without Python:
/// input <c>input</c> [N,3,400,300] float (N dynamic), outputs <c>logits</c> and <c>probabilities</c>
/// [N,classes]. Initializers carry the TorchSharp parameter/buffer names (BatchNorm's
/// <c>num_batches_tracked</c> counters are left out: inference never reads them).
/// </summary>
public static class OnnxExporter
{
    public const long IrVersion = 8;
    public const long OpsetVersion = 17;

    public static void Export(nn.Module model, string path, OnnxExportOptions? options = null)
    {
        var bytes = ToModelProto(model, options ?? new OnnxExportOptions()).ToByteArray();
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        File.WriteAllBytes(path, bytes);
    }

    internal static ModelProto ToModelProto(nn.Module model, OnnxExportOptions options)
    {
        if (model is not IOnnxExportable exportable)
        {
            throw new ArgumentException($"ONNX export supports the models of {nameof(ModelCatalog)} ({string.Join(", ", ModelCatalog.Names)}), not {model.GetType().Name}", nameof(model));
        }
        var classes = model is ClassifierModel classifier ? classifier.Classes : options.ClassNames.Count;
        if (options.ClassNames.Count != classes)
        {
            throw new ArgumentException($"{options.ClassNames.Count} class names for a model with {classes} outputs", nameof(options));
        }

        var state = model.state_dict();
        var graph = new GraphProto { Name = (model as ClassifierModel)?.CatalogName ?? model.GetName() };
        var builder = new OnnxGraphBuilder(graph, state);
        var logits = exportable.ExportOnnx(builder, OnnxNames.Input, "");
        builder.Identity(logits, OnnxNames.Logits);
        builder.Softmax(OnnxNames.Logits, OnnxNames.Probabilities);

        var unused = state.Keys.Where(k => !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal) && !builder.Initialized.Contains(k)).ToList();
        if (unused.Count > 0)
        {
            throw new InvalidOperationException($"ONNX export of {model.GetType().Name} left out {unused.Count} tensors, e.g. '{unused[0]}'");
        }

        graph.Input.Add(TensorValue(OnnxNames.Input, OnnxNames.BatchDimension, options.InputChannels, options.InputHeight, options.InputWidth));
        graph.Output.Add(TensorValue(OnnxNames.Logits, OnnxNames.BatchDimension, classes));
        graph.Output.Add(TensorValue(OnnxNames.Probabilities, OnnxNames.BatchDimension, classes));

        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "hbac",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0",
            Graph = graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        proto.MetadataProps.Add(new StringStringEntryProto { Key = OnnxNames.ClassNamesKey, Value = JsonSerializer.Serialize(options.ClassNames) });
        proto.MetadataProps.Add(new StringStringEntryProto
        {
            Key = OnnxNames.ModelNameKey,
            Value = options.ModelName ?? (model as ClassifierModel)?.CatalogName ?? model.GetName(),
        });
        foreach (var (key, value) in options.Metadata)
        {
            if (key is OnnxNames.ClassNamesKey or OnnxNames.ModelNameKey)
            {
                throw new ArgumentException($"metadata key '{key}' is reserved", nameof(options));
            }
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        return proto;
    }

    /// <summary>A float tensor value; a string dimension is symbolic (dim_param), an int is fixed.</summary>
    private static ValueInfoProto TensorValue(string name, string batch, params int[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = batch });
        foreach (var d in dims)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
