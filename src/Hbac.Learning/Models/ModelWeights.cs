using Google.Protobuf;
using Hbac.Onnx.Proto;
using Hbac.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Hbac.Learning.Models;

/// <summary>
/// Weights files: TorchSharp's own format (<c>module.save</c>) and ONNX files this project exported
/// (initializer names = state-dict names). Anything unusable is one <see cref="ModelFileException"/>.
/// </summary>
public static class ModelWeights
{
    /// <summary>Writes the model's state dict in TorchSharp's format.</summary>
    public static void Save(nn.Module model, string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        model.save(path);
    }

    /// <summary>Loads every parameter and running statistic; a <c>.onnx</c> file is read as ONNX, anything else as TorchSharp.</summary>
    public static void Load(nn.Module model, string path)
    {
        if (!File.Exists(path))
        {
            throw ModelFileException.InFile(path, "weights file not found");
        }
        if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            LoadOnnx(model, path);
            return;
        }
        try
        {
            model.load(path, strict: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw ModelFileException.InFile(path, $"not TorchSharp weights for {model.GetType().Name} ({FirstLine(e.Message)})", e);
        }
    }

    private static void LoadOnnx(nn.Module model, string path)
    {
        ModelProto proto;
        try
        {
            using var stream = File.OpenRead(path);
            proto = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw ModelFileException.InFile(path, $"not an ONNX file ({FirstLine(e.Message)})", e);
        }
        var initializers = (proto.Graph?.Initializer ?? []).ToDictionary(t => t.Name, StringComparer.Ordinal);
        var state = model.state_dict();
        var updates = new List<(Tensor Target, float[] Values)>();
        foreach (var (name, target) in state)
        {
            if (name.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
            {
                continue;
            }
            if (!initializers.TryGetValue(name, out var source))
            {
                throw ModelFileException.InFile(path, $"no initializer '{name}' for {model.GetType().Name}: not exported from this architecture");
            }
            if (!source.Dims.SequenceEqual(target.shape))
            {
                throw ModelFileException.InFile(path, $"initializer '{name}' has shape [{string.Join(",", source.Dims)}], the model needs [{string.Join(",", target.shape)}]");
            }
            updates.Add((target, FloatValues(path, source)));
        }
        using var noGrad = torch.no_grad();
        foreach (var (target, values) in updates)
        {
            using var tensor = torch.tensor(values, target.shape, dtype: target.dtype);
            target.copy_(tensor);
        }
    }

    private static float[] FloatValues(string path, TensorProto tensor)
    {
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
        {
            throw ModelFileException.InFile(path, $"initializer '{tensor.Name}' is not float32");
        }
        var count = tensor.Dims.Aggregate(1L, (a, d) => a * d);
        if (tensor.RawData.Length > 0)
        {
            if (tensor.RawData.Length != count * sizeof(float))
            {
                throw ModelFileException.InFile(path, $"initializer '{tensor.Name}' holds {tensor.RawData.Length} bytes, expected {count * sizeof(float)}");
            }
            var values = new float[count];
            tensor.RawData.Span.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
            return values;
        }
        if (tensor.FloatData.Count != count)
        {
            throw ModelFileException.InFile(path, $"initializer '{tensor.Name}' holds {tensor.FloatData.Count} values, expected {count}");
        }
        return tensor.FloatData.ToArray();
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
