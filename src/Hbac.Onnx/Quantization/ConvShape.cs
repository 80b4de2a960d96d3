using Hbac.Onnx.Proto;

namespace Hbac.Onnx.Quantization;

/// <summary>
/// A Conv's channels and kernel as its weight initializer [outputs, inputs / group, kh, kw] and its <c>group</c>
/// attribute give them: what the quantizer's rules (float Convs, depthwise widening) are stated in.
/// </summary>
internal readonly record struct ConvShape(long Outputs, long InputsPerGroup, long KernelSize, long Group)
{
    /// <summary>The shape of <paramref name="node"/>, or null when it is not a Conv with rank-4 initializer weights.</summary>
    public static ConvShape? Of(NodeProto node, IReadOnlyDictionary<string, TensorProto> initializers)
    {
        if (node.OpType != "Conv" || node.Input.Count < 2 || !initializers.TryGetValue(node.Input[1], out var weights) || weights.Dims.Count != 4)
        {
            return null;
        }
        var group = node.Int("group", 1);
        return new ConvShape(weights.Dims[0], weights.Dims[1], weights.Dims[2] * weights.Dims[3], group);
    }

    public long Inputs => InputsPerGroup * Group;

    /// <summary>One filter per channel: group = input channels = output channels.</summary>
    public bool IsDepthwise => Group > 1 && Outputs == Group && InputsPerGroup == 1;
}
