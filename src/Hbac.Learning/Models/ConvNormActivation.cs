using Hbac.Learning.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hbac.Learning.Models;

/// <summary>
/// torchvision's Conv2dNormActivation: bias-free conv ("0"), BatchNorm ("1"), optional activation.
/// The numeric child names are what makes state-dict keys read <c>features.0.0.weight</c>.
/// </summary>
internal sealed class ConvNormActivation : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly Conv2d _conv;
    private readonly BatchNorm2d _bn;
    private readonly Activation _activation;
    private readonly int _kernel;
    private readonly int _stride;
    private readonly int _groups;
    private readonly double _eps;

    public ConvNormActivation(long inChannels, long outChannels, int kernel, int stride, long groups,
        Activation activation, BatchNormSettings norm) : base(nameof(ConvNormActivation))
    {
        _kernel = kernel;
        _stride = stride;
        _groups = (int)groups;
        _activation = activation;
        _eps = norm.Eps;
        _conv = nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: (kernel - 1) / 2, groups: groups, bias: false);
        _bn = nn.BatchNorm2d(outChannels, eps: norm.Eps, momentum: norm.Momentum);
        // Numeric names, as in torchvision; RegisterComponents cannot name a field "0".
        register_module("0", _conv);
        register_module("1", _bn);
    }

    // The children are registered under torchvision's numeric names above; a parent's RegisterComponents
    // must not add them again under their field names.
    protected override void RegisterComponents() { }

    /// <summary>The convolution, for <see cref="ChannelsLastCheck"/>'s per-convolution comparison.</summary>
    internal Conv2d Convolution => _conv;

    /// <summary>
    /// Runs this convolution on an NCHW copy of a channels-last input and hands its output on channels-last again: where
    /// libtorch's channels-last kernel for this shape computes something else (<see cref="ClassifierModel.UseNchwFor"/>).
    /// </summary>
    internal bool ConvolutionNchw { get; set; }

    public override Tensor forward(Tensor input)
    {
        if (ConvolutionNchw)
        {
            var channelsLast = !input.is_contiguous();
            // NCHW strides also for a 1 x 1 map, whose channels-last strides is_contiguous does not see (libtorch does).
            using var nchw = channelsLast ? input.contiguous() : input.view(-1).view(input.shape);
            using var output = _conv.call(nchw);
            return _activation.ApplyAfterNorm(_bn.call(channelsLast ? ClassifierModel.ChannelsLast(output) : output));
        }
        return _activation.ApplyAfterNorm(_bn.call(_conv.call(input)));
    }

    public string ExportOnnx(OnnxGraphBuilder graph, string input, string prefix)
    {
        var x = graph.Conv(input, $"{prefix}.0", hasBias: false, _kernel, _stride, _groups);
        x = graph.BatchNorm(x, $"{prefix}.1", _eps);
        return graph.Activation(x, _activation);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _conv.Dispose();
            _bn.Dispose();
        }
        base.Dispose(disposing);
    }
}
