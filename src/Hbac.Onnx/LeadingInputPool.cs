using Google.Protobuf;
using Hbac.Eeg.Windows;
using Hbac.Onnx.Proto;

namespace Hbac.Onnx;

/// <summary>
/// A model whose input feeds nothing but one AveragePool over whole blocks (the quick EEG profile's 1 x 30,
/// the quick spectrogram profile's 6 x 6 at the network's entry) reads 30x (36x) more values than it uses. <see cref="TryStrip"/> returns the same
/// model without that node, reading the pooled input [N, 3, 400 / rows, 300 / columns] directly, and the
/// pooling it left to the caller (<see cref="InputPooling.Pool"/>: the same average, computed in C#, where a
/// stream computes it without ever writing the whole input). Every other node, weight and metadata entry is
/// kept as it was.
/// </summary>
public static class LeadingInputPool
{
    /// <summary>The stripped model and its pooling, or null when the model does not start with such a pool.</summary>
    public static (byte[] Model, InputPooling Pooling)? TryStrip(byte[] onnx)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(onnx);
        }
        catch (InvalidProtocolBufferException)
        {
            return null; // ONNX Runtime names what is wrong with the file when it opens it
        }
        var graph = model.Graph;
        if (graph is null || graph.Input.Count == 0)
        {
            return null;
        }
        // Initializers may be listed as inputs (older exporters): the real input is the one that is not one.
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        if (inputs.Count != 1)
        {
            return null;
        }
        var input = inputs[0];
        var readers = graph.Node.Where(n => n.Input.Contains(input.Name)).ToList();
        if (readers.Count != 1 || graph.Output.Any(o => o.Name == input.Name))
        {
            return null;
        }
        var pool = readers[0];
        if (PoolingOf(pool) is not { } pooling || pool.Output.Count != 1 || graph.Output.Any(o => o.Name == pool.Output[0]))
        {
            return null;
        }
        if (input.Type?.TensorType?.Shape is not { Dim.Count: 4 } shape
            || shape.Dim[1].DimValue != InputPooling.Channels || shape.Dim[2].DimValue != InputPooling.Height || shape.Dim[3].DimValue != InputPooling.Width)
        {
            return null;
        }

        var pooled = pool.Output[0];
        graph.Node.Remove(pool);
        foreach (var node in graph.Node)
        {
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i] == pooled)
                {
                    node.Input[i] = input.Name;
                }
            }
        }
        foreach (var info in graph.ValueInfo.Where(v => v.Name == pooled).ToList())
        {
            graph.ValueInfo.Remove(info);
        }
        shape.Dim[2] = new TensorShapeProto.Types.Dimension { DimValue = pooling.PooledHeight };
        shape.Dim[3] = new TensorShapeProto.Types.Dimension { DimValue = pooling.PooledWidth };
        return (model.ToByteArray(), pooling);
    }

    /// <summary>
    /// An AveragePool of the default domain over non-overlapping blocks of [400, 300], without padding and rounding
    /// its output size down (ceil_mode 0), so a remainder that fills no block is dropped as <see cref="InputPooling"/> drops it.
    /// </summary>
    private static InputPooling? PoolingOf(NodeProto node)
    {
        if (node.OpType != "AveragePool" || node.Domain is not ("" or "ai.onnx") || node.Input.Count != 1)
        {
            return null;
        }
        var kernel = node.Ints("kernel_shape");
        var strides = node.Ints("strides");
        if (kernel is not { Count: 2 } || strides is null || !kernel.SequenceEqual(strides))
        {
            return null;
        }
        if (node.Ints("pads") is { } pads && pads.Any(p => p != 0)
            || node.Ints("dilations") is { } dilations && dilations.Any(d => d != 1)
            || node.Int("ceil_mode", 0) != 0
            || node.Attribute.FirstOrDefault(a => a.Name == "auto_pad") is { } autoPad && autoPad.S.ToStringUtf8() is not ("" or "NOTSET" or "VALID"))
        {
            return null;
        }
        var (rows, columns) = ((int)kernel[0], (int)kernel[1]);
        if (!InputPooling.Fits(rows, columns) || (rows == 1 && columns == 1))
        {
            return null;
        }
        return new InputPooling(rows, columns);
    }
}
