using Hbac.Learning.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hbac.Learning.Models;

/// <summary>
/// An image classifier over [N,3,H,W] spectrogram windows returning [N,classes] logits; knows how to
/// write itself as ONNX. The architectures in <see cref="ModelCatalog"/> derive from it.
/// </summary>
public abstract class ClassifierModel : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private protected ClassifierModel(string name, string catalogName, int classes, ModelOptions options) : base(name)
    {
        options.Validate();
        if (classes < 2)
        {
            throw new ArgumentException($"a classifier needs at least 2 classes, got {classes}", nameof(classes));
        }
        CatalogName = catalogName;
        Classes = classes;
        Options = options;
        ConvolutionsChannelsLast = options.ChannelsLast;
    }

    /// <summary>The name <see cref="ModelCatalog.Create"/> knows this architecture by.</summary>
    public string CatalogName { get; }

    public int Classes { get; }

    public ModelOptions Options { get; }

    /// <summary>
    /// Whether the convolutions run on channels-last tensors now: <see cref="ModelOptions.ChannelsLast"/> until
    /// <see cref="UseConvolutionLayout"/> says otherwise (the trainer falls back to NCHW where libtorch's channels-last
    /// kernels compute something else on this CPU, <see cref="ChannelsLastCheck"/>).
    /// </summary>
    public bool ConvolutionsChannelsLast { get; private set; }

    /// <summary>
    /// Runs the convolutions on channels-last (true) or NCHW (false) tensors from the next forward pass on. Those singled
    /// out by <see cref="UseNchwFor"/> run NCHW either way.
    /// </summary>
    public void UseConvolutionLayout(bool channelsLast) => ConvolutionsChannelsLast = channelsLast;

    /// <summary>The convolutions (module names, e.g. <c>features.3.block.0.0</c>) that run NCHW inside a channels-last model.</summary>
    public IReadOnlyList<string> NchwConvolutions { get; private set; } = [];

    /// <summary>
    /// Runs the named convolutions NCHW while the others stay channels-last (on the AMD EPYC, 12 of MobileNetV3's 1 x 1
    /// convolutions computed something else channels-last, and its depthwise ones, which gain most from the layout, did
    /// not). Only a convolution with its BatchNorm (a <c>ConvNormActivation</c>) can be singled out: false, and nothing
    /// changed, if a name is not one.
    /// </summary>
    public bool UseNchwFor(IReadOnlyCollection<string> convolutions)
    {
        var blocks = ConvolutionBlocks();
        if (convolutions.Any(name => !blocks.Any(b => b.Name == name)))
        {
            return false;
        }
        foreach (var (name, block) in blocks)
        {
            block.ConvolutionNchw = convolutions.Contains(name);
        }
        NchwConvolutions = [.. blocks.Select(b => b.Name).Where(convolutions.Contains)];
        return true;
    }

    /// <summary>Each convolution that has its BatchNorm, by its module name (<c>features.3.block.0.0</c>), in module order.</summary>
    internal IReadOnlyList<(string Name, ConvNormActivation Block)> ConvolutionBlocks() =>
        [.. named_modules().Where(m => m.module is ConvNormActivation).Select(m => (m.name + ".0", (ConvNormActivation)m.module))];

    /// <summary>Channels entering the classifier (960 for MobileNetV3-Large, 1408 for EfficientNetV2-B2).</summary>
    public abstract int FeatureChannels { get; }

    string IOnnxExportable.ExportOnnx(OnnxGraphBuilder graph, string input, string prefix) => ExportOnnx(graph, input, prefix);

    private protected abstract string ExportOnnx(OnnxGraphBuilder graph, string input, string prefix);

    /// <summary>
    /// Multiplies the logits by <paramref name="factor"/> from now on (softmax temperature 1 / factor), by
    /// scaling the final Linear layer (<c>classifier</c> in both architectures): the exported graph is unchanged.
    /// </summary>
    public void ScaleLogits(double factor)
    {
        if (!double.IsFinite(factor) || factor <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "a logit scale must be a positive number");
        }
        if (factor == 1)
        {
            return;
        }
        using var noGrad = torch.no_grad();
        var parameters = named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var name in new[] { "classifier.weight", "classifier.bias" })
        {
            if (!parameters.TryGetValue(name, out var parameter))
            {
                throw new InvalidOperationException($"{CatalogName} has no '{name}' to scale");
            }
            parameter.mul_(factor);
        }
    }

    /// <summary>The optional AvgPool2d((rows, columns)) at the input (see <see cref="ModelOptions.InputPool"/>).</summary>
    private protected static nn.Module<Tensor, Tensor> InputPool((int Rows, int Columns) pool) =>
        pool is (1, 1) ? nn.Identity() : nn.AvgPool2d([pool.Rows, pool.Columns], [pool.Rows, pool.Columns]);

    /// <summary>The input pool's output in the layout the convolutions run in (<see cref="ConvolutionsChannelsLast"/>).</summary>
    private protected Tensor ConvolutionLayout(Tensor pooled) => ConvolutionsChannelsLast ? ChannelsLast(pooled) : pooled;

    /// <summary>The same values laid out channels-last: NCHW shape, NHWC strides (TorchSharp has no memory_format).</summary>
    internal static Tensor ChannelsLast(Tensor x) => x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    /// <summary>
    /// A squeeze-excitation's [N, C, 1, 1] channel means with NCHW strides whatever the input's layout: pooled from a
    /// channels-last map they keep its strides, libtorch then picks its channels-last kernels for the 1 x 1 convolutions
    /// that follow, and on the AMD EPYC those were wrong for 672 channels. The values are the same either way, and an NCHW
    /// input gives the very tensor it gave before.
    /// </summary>
    internal static Tensor SqueezedMap(Tensor input) => nn.functional.adaptive_avg_pool2d(input, 1).flatten(1).unsqueeze(-1).unsqueeze(-1);

    private protected static string ExportInputPool(OnnxGraphBuilder graph, string input, (int Rows, int Columns) pool) =>
        pool is (1, 1) ? input : graph.AveragePool(input, pool.Rows, pool.Columns);

    /// <summary>torchvision's initialisation: conv kaiming-normal (fan out), BN 1/0, linear N(0, 0.01).</summary>
    private protected void InitialiseWeights()
    {
        using var noGrad = torch.no_grad();
        foreach (var (_, module) in named_modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut);
                    if (conv.bias is not null)
                    {
                        nn.init.zeros_(conv.bias);
                    }
                    break;
                case BatchNorm2d norm:
                    nn.init.ones_(norm.weight);
                    nn.init.zeros_(norm.bias);
                    break;
                case Linear linear:
                    nn.init.normal_(linear.weight, 0, 0.01);
                    if (linear.bias is not null)
                    {
                        nn.init.zeros_(linear.bias);
                    }
                    break;
            }
        }
    }
}
