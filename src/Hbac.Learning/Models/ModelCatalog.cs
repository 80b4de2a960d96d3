using Hbac.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Hbac.Learning.Models;

/// <summary>The architectures by name: what <c>hbac train --model</c> and <c>hbac params</c> accept.</summary>
public static class ModelCatalog
{
    public static IReadOnlyList<string> Names { get; } = [MobileNetV3Large.CatalogId, EfficientNetV2B2.CatalogId];

    /// <summary>
    /// A freshly initialised model on the CPU (move it with <c>.to(device)</c>), with the weights of
    /// <see cref="ModelOptions.WeightsPath"/> when given. Unknown name: <see cref="ArgumentException"/>
    /// listing the valid names; unusable weights file: <see cref="ModelFileException"/>.
    /// </summary>
    public static ClassifierModel Create(string name, int classes = 6, ModelOptions? options = null)
    {
        options ??= new ModelOptions();
        ClassifierModel model = name.Trim().ToLowerInvariant() switch
        {
            MobileNetV3Large.CatalogId => new MobileNetV3Large(classes, options),
            EfficientNetV2B2.CatalogId => new EfficientNetV2B2(classes, options),
            _ => throw new ArgumentException($"unknown model '{name}'; valid names: {string.Join(", ", Names)}", nameof(name)),
        };
        if (options.WeightsPath is { } weights)
        {
            try
            {
                ModelWeights.Load(model, weights);
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
        return model;
    }

    /// <summary>Trainable parameters and BatchNorm running statistics (mean + variance) of a model.</summary>
    public static ParameterCounts CountParameters(nn.Module model)
    {
        var trainable = model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        var statistics = model.named_buffers()
            .Where(b => b.name.EndsWith(".running_mean", StringComparison.Ordinal) || b.name.EndsWith(".running_var", StringComparison.Ordinal))
            .Sum(b => b.buffer.numel());
        return new ParameterCounts(trainable, statistics);
    }
}
