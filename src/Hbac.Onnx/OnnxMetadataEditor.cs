using Google.Protobuf;
using Hbac.Onnx.Proto;

namespace Hbac.Onnx;

/// <summary>Copies an ONNX model with its metadata changed and its graph and weights untouched.</summary>
public static class OnnxMetadataEditor
{
    /// <summary>
    /// Writes <paramref name="source"/> to <paramref name="destination"/> with the metadata
    /// <paramref name="entries"/> set (replacing existing entries of the same keys). Used by the load
    /// benchmark to serve the same network as both input kinds: the kind changes which calls a model
    /// answers, never its cost.
    /// </summary>
    public static void CopyWith(string source, string destination, params IEnumerable<KeyValuePair<string, string>> entries)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(source));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{source}: not an ONNX model ({e.Message})", e);
        }
        foreach (var (key, value) in entries)
        {
            var existing = model.MetadataProps.FirstOrDefault(p => p.Key == key);
            if (existing is null)
            {
                model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
            }
            else
            {
                existing.Value = value;
            }
        }
        File.WriteAllBytes(destination, model.ToByteArray());
    }
}
