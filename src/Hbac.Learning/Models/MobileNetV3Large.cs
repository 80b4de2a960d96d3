using Hbac.Learning.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hbac.Learning.Models;

/// <summary>
/// MobileNetV3-Large in torchvision's layout and parameter names (<c>features.0</c> .. <c>features.16</c>:
/// stem, 15 inverted-residual blocks with squeeze-excitation and hardswish, 1x1 conv to 960), then global
/// average pooling and <c>classifier</c> = Linear(960, classes). BatchNorm eps 1e-3.
/// 2,977,718 trainable parameters and 24,400 running-statistics values for 6 classes.
/// </summary>
public sealed class MobileNetV3Large : ClassifierModel
{
    public const string CatalogId = "mobilenetv3";
    private const double BatchNormEps = 1e-3;

    // torchvision's bneck_conf table for mobilenet_v3_large (width 1.0).
    private static readonly BlockConfig[] Blocks =
    [
        new(16, 3, 16, 16, false, false, 1),
        new(16, 3, 64, 24, false, false, 2),
        new(24, 3, 72, 24, false, false, 1),
        new(24, 5, 72, 40, true, false, 2),
        new(40, 5, 120, 40, true, false, 1),
        new(40, 5, 120, 40, true, false, 1),
        new(40, 3, 240, 80, false, true, 2),
        new(80, 3, 200, 80, false, true, 1),
        new(80, 3, 184, 80, false, true, 1),
        new(80, 3, 184, 80, false, true, 1),
        new(80, 3, 480, 112, true, true, 1),
        new(112, 3, 672, 112, true, true, 1),
        new(112, 5, 672, 160, true, true, 2),
        new(160, 5, 960, 160, true, true, 1),
        new(160, 5, 960, 160, true, true, 1),
    ];

    private readonly nn.Module<Tensor, Tensor> input_pool;
    private readonly Sequential features;
    private readonly Linear classifier;
    private readonly List<IOnnxExportable> _featureLayers = [];

    public MobileNetV3Large(int classes = 6, ModelOptions? options = null)
        : base(nameof(MobileNetV3Large), CatalogId, classes, options ?? new ModelOptions())
    {
        var norm = new BatchNormSettings(BatchNormEps, Options.BatchNormMomentum);
        var layers = new List<nn.Module<Tensor, Tensor>>
        {
            new ConvNormActivation(3, 16, 3, 2, 1, Activation.Hardswish, norm),
        };
        layers.AddRange(Blocks.Select(config => new InvertedResidual(config, norm)));
        layers.Add(new ConvNormActivation(160, 960, 1, 1, 1, Activation.Hardswish, norm));
        _featureLayers.AddRange(layers.Cast<IOnnxExportable>());

        input_pool = InputPool(Options.InputPool);
        features = nn.Sequential(layers);
        classifier = nn.Linear(960, classes);
        RegisterComponents();
        InitialiseWeights();
    }

    public override int FeatureChannels => 960;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = features.call(ConvolutionLayout(input_pool.call(input)));
        x = nn.functional.adaptive_avg_pool2d(x, 1).flatten(1);
        return classifier.call(x).MoveToOuterDisposeScope();
    }

    private protected override string ExportOnnx(OnnxGraphBuilder graph, string input, string prefix)
    {
        var x = ExportInputPool(graph, input, Options.InputPool);
        for (var i = 0; i < _featureLayers.Count; i++)
        {
            x = _featureLayers[i].ExportOnnx(graph, x, $"{prefix}features.{i}");
        }
        return graph.GlobalPoolAndLinear(x, $"{prefix}classifier");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            input_pool.Dispose();
            features.Dispose();
            classifier.Dispose();
        }
        base.Dispose(disposing);
    }

    private readonly record struct BlockConfig(int Input, int Kernel, int Expanded, int Output, bool SqueezeExcite, bool Hardswish, int Stride);

    /// <summary>torchvision's InvertedResidual: [expand 1x1] -> depthwise kxk -> [SE] -> project 1x1 (+ input).</summary>
    private sealed class InvertedResidual : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        private readonly Sequential block;
        private readonly List<IOnnxExportable> _layers = [];
        private readonly bool _residual;

        public InvertedResidual(BlockConfig c, BatchNormSettings norm) : base(nameof(InvertedResidual))
        {
            var activation = c.Hardswish ? Activation.Hardswish : Activation.ReLU;
            var layers = new List<nn.Module<Tensor, Tensor>>();
            if (c.Expanded != c.Input)
            {
                layers.Add(new ConvNormActivation(c.Input, c.Expanded, 1, 1, 1, activation, norm));
            }
            layers.Add(new ConvNormActivation(c.Expanded, c.Expanded, c.Kernel, c.Stride, c.Expanded, activation, norm));
            if (c.SqueezeExcite)
            {
                layers.Add(new SqueezeExcitation(c.Expanded, MakeDivisible(c.Expanded / 4, 8)));
            }
            layers.Add(new ConvNormActivation(c.Expanded, c.Output, 1, 1, 1, Activation.None, norm));
            _layers.AddRange(layers.Cast<IOnnxExportable>());
            _residual = c.Stride == 1 && c.Input == c.Output;
            block = nn.Sequential(layers);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var result = block.call(input);
            if (_residual)
            {
                result = result.add_(input); // in place: the projection BatchNorm does not need its output back
            }
            return result.MoveToOuterDisposeScope();
        }

        public string ExportOnnx(OnnxGraphBuilder graph, string input, string prefix)
        {
            var x = input;
            for (var i = 0; i < _layers.Count; i++)
            {
                x = _layers[i].ExportOnnx(graph, x, $"{prefix}.block.{i}");
            }
            return _residual ? graph.Add(x, input) : x;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                block.Dispose();
            }
            base.Dispose(disposing);
        }

        // torchvision's _make_divisible: round to a multiple of divisor, never more than 10 % down.
        private static int MakeDivisible(int value, int divisor)
        {
            var rounded = Math.Max(divisor, (value + divisor / 2) / divisor * divisor);
            return rounded < 0.9 * value ? rounded + divisor : rounded;
        }
    }

    /// <summary>torchvision's SqueezeExcitation: x * hardsigmoid(fc2(relu(fc1(avgpool(x))))).</summary>
    private sealed class SqueezeExcitation : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        private readonly Conv2d fc1;
        private readonly Conv2d fc2;

        public SqueezeExcitation(int channels, int squeezed) : base(nameof(SqueezeExcitation))
        {
            fc1 = nn.Conv2d(channels, squeezed, 1);
            fc2 = nn.Conv2d(squeezed, channels, 1);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var scale = ClassifierModel.SqueezedMap(input);
            scale = nn.functional.hardsigmoid(fc2.call(nn.functional.relu(fc1.call(scale))));
            return (input * scale).MoveToOuterDisposeScope();
        }

        public string ExportOnnx(OnnxGraphBuilder graph, string input, string prefix)
        {
            var scale = graph.GlobalAveragePool(input);
            scale = graph.Conv(scale, $"{prefix}.fc1", hasBias: true, 1, 1, 1);
            scale = graph.Activation(scale, Activation.ReLU);
            scale = graph.Conv(scale, $"{prefix}.fc2", hasBias: true, 1, 1, 1);
            scale = graph.HardSigmoid(scale);
            return graph.Mul(input, scale);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                fc1.Dispose();
                fc2.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
