using Hbac.Onnx.Proto;

namespace Hbac.Onnx;

/// <summary>A node's attributes by name, with the ONNX operator's default when the attribute is absent.</summary>
internal static class NodeAttributes
{
    public static float Float(this NodeProto node, string name, float fallback) => Find(node, name)?.F ?? fallback;

    public static long Int(this NodeProto node, string name, long fallback) => Find(node, name)?.I ?? fallback;

    /// <summary>The attribute's integers, or null when the node has no such attribute.</summary>
    public static IReadOnlyList<long>? Ints(this NodeProto node, string name) => Find(node, name)?.Ints;

    private static AttributeProto? Find(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);
}
