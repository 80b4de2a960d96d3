namespace Hbac.Onnx;

/// <summary>The names our exported models use: what the exporter writes and the classifier looks for first.</summary>
public static class OnnxNames
{
    public const string Input = "input";
    public const string Logits = "logits";
    public const string Probabilities = "probabilities";

    /// <summary>The dynamic batch dimension's name.</summary>
    public const string BatchDimension = "N";

    /// <summary>metadata_props key: the class names as a JSON array, in output order.</summary>
    public const string ClassNamesKey = "class_names";

    /// <summary>metadata_props key: the architecture's catalog name.</summary>
    public const string ModelNameKey = "model_name";
}
