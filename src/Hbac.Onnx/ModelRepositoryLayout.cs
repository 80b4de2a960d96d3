namespace Hbac.Onnx;

/// <summary>
/// The model repository both services share: a folder of <c>&lt;version&gt;/model.onnx + card.json</c>
/// (the model and card files of a training run's folder), with <c>model.int8.onnx</c> beside them when the
/// version's int8 quantization passed its drift gate. The trainer writes a version under a hidden or <c>.tmp</c> name and renames it
/// when complete, so such names are never versions; version names sort by age.
/// </summary>
public static class ModelRepositoryLayout
{
    public const string ModelFile = "model.onnx";
    public const string Int8ModelFile = "model.int8.onnx";
    public const string CardFile = "card.json";

    /// <summary>False for hidden ('.', '_'), temporary (".tmp") and path-like names, which are never served.</summary>
    public static bool IsVersionName(string name) =>
        name.Length > 0 && name[0] is not ('.' or '_') && !name.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase)
        && name.IndexOfAny(['/', '\\']) < 0;
}
