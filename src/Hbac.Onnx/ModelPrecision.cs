namespace Hbac.Onnx;

/// <summary>The numbers a model file computes with: the exported float model, or its int8 (QDQ) quantization.</summary>
public enum ModelPrecision
{
    Fp32,
    Int8,
}

public static class ModelPrecisions
{
    /// <summary>The ONNX metadata entry a quantized model carries ("int8"); a model without it is fp32.</summary>
    public const string MetadataKey = "hbac.precision";

    public static string Name(this ModelPrecision precision) => precision == ModelPrecision.Int8 ? "int8" : "fp32";

    /// <summary>"fp32" or "int8", any case; anything else is an <see cref="ArgumentException"/> naming the valid values.</summary>
    public static ModelPrecision Parse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "fp32" => ModelPrecision.Fp32,
        "int8" => ModelPrecision.Int8,
        _ => throw new ArgumentException($"unknown precision '{value}'; valid: fp32, int8"),
    };

    /// <summary>What a model's metadata says it is; fp32 without the entry.</summary>
    public static ModelPrecision FromMetadata(IReadOnlyDictionary<string, string> metadata) =>
        metadata.TryGetValue(MetadataKey, out var value) ? Parse(value) : ModelPrecision.Fp32;

    /// <summary>The file of <paramref name="precision"/> in a version folder.</summary>
    public static string FileName(this ModelPrecision precision) =>
        precision == ModelPrecision.Int8 ? ModelRepositoryLayout.Int8ModelFile : ModelRepositoryLayout.ModelFile;
}
