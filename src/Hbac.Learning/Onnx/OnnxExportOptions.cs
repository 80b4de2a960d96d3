using Hbac.Eeg.Labels;
using Hbac.Onnx;

namespace Hbac.Learning.Onnx;

/// <summary>What goes into an exported model besides the weights: names, input size and metadata.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>Class names in output order; stored as a JSON array under <see cref="OnnxNames.ClassNamesKey"/>.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = EegClasses.Names;

    /// <summary>Stored under <see cref="OnnxNames.ModelNameKey"/>; defaults to the catalog name of the model.</summary>
    public string? ModelName { get; init; }

    /// <summary>Extra metadata_props (for example the model card summary).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    public int InputChannels { get; init; } = 3;

    public int InputHeight { get; init; } = 400;

    public int InputWidth { get; init; } = 300;
}
