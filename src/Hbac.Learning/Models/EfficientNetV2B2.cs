using Hbac.Learning.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hbac.Learning.Models;

/// <summary>
/// EfficientNetV2-B2 as Keras builds it (keras.applications.EfficientNetV2B2, width 1.1, depth 1.2):
/// stem conv 3x3/2 to 32, six stages (three fused-MBConv, three MBConv with squeeze-excitation), SiLU,
/// a 1x1 top conv to 1408, then global average pooling and <c>classifier</c> = Linear(1408, classes).
/// BatchNorm eps 1e-3; stochastic depth (Keras' drop_connect_rate 0.2) on residual blocks in training.
/// 8,695,540 trainable parameters for 6 classes (Keras counts BN gamma/beta as trainable, moving
/// statistics not). Keras layer names map to ours as block{s}{x}_{layer} -> blocks.{i}.{layer}.
/// Convolutions pad symmetrically (PyTorch); Keras' "same" pads stride-2 layers bottom/right only.
/// </summary>
public sealed class EfficientNetV2B2 : ClassifierModel
{
    public const string CatalogId = "efficientnetv2b2";
    private const double BatchNormEps = 1e-3;
    private const double WidthCoefficient = 1.1;
    private const double DepthCoefficient = 1.2;
    private const double DropConnectRate = 0.2;

    // Keras' DEFAULT_BLOCKS_ARGS["efficientnetv2-b2"] (the B0 table before scaling).
    private static readonly StageConfig[] Stages =
    [
        new(3, 1, 32, 16, 1, 0, 1, Fused: true),
        new(3, 2, 16, 32, 4, 0, 2, Fused: true),
        new(3, 2, 32, 48, 4, 0, 2, Fused: true),
        new(3, 3, 48, 96, 4, 0.25, 2, Fused: false),
        new(3, 5, 96, 112, 6, 0.25, 1, Fused: false),
        new(3, 8, 112, 192, 6, 0.25, 2, Fused: false),
    ];

    private readonly nn.Module<Tensor, Tensor> input_pool;
    private readonly ConvNormActivation stem;
    private readonly Sequential blocks;
    private readonly ConvNormActivation top;
    private readonly Linear classifier;
    private readonly List<IOnnxExportable> _blocks = [];
    private readonly int _topChannels;

    public EfficientNetV2B2(int classes = 6, ModelOptions? options = null)
        : base(nameof(EfficientNetV2B2), CatalogId, classes, options ?? new ModelOptions())
    {
        var norm = new BatchNormSettings(BatchNormEps, Options.BatchNormMomentum);
        var stemChannels = RoundFilters(Stages[0].Input);
        var layers = new List<nn.Module<Tensor, Tensor>>();
        var total = (double)Stages.Sum(s => s.Repeats);
        var index = 0;
        foreach (var stage in Stages)
        {
            var input = RoundFilters(stage.Input);
            var output = RoundFilters(stage.Output);
            var repeats = (int)Math.Ceiling(DepthCoefficient * stage.Repeats);
            for (var j = 0; j < repeats; j++)
            {
                var stride = j == 0 ? stage.Stride : 1;
                var blockInput = j == 0 ? input : output;
                // Keras: survival_probability = drop_connect_rate * b / blocks, b counting scaled blocks.
                var dropRate = DropConnectRate * index / total;
                layers.Add(stage.Fused
                    ? new FusedMBConv(blockInput, output, stage.Kernel, stride, stage.Expand, dropRate, norm)
                    : new MBConv(blockInput, output, stage.Kernel, stride, stage.Expand, stage.SqueezeRatio, dropRate, norm));
                index++;
            }
        }
        _blocks.AddRange(layers.Cast<IOnnxExportable>());
        _topChannels = RoundFilters(1280);

        input_pool = InputPool(Options.InputPool);
        stem = new ConvNormActivation(3, stemChannels, 3, 2, 1, Activation.SiLU, norm);
        blocks = nn.Sequential(layers);
        top = new ConvNormActivation(RoundFilters(Stages[^1].Output), _topChannels, 1, 1, 1, Activation.SiLU, norm);
        classifier = nn.Linear(_topChannels, classes);
        RegisterComponents();
        InitialiseWeights();
    }

    public override int FeatureChannels => _topChannels;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = top.call(blocks.call(stem.call(ConvolutionLayout(input_pool.call(input)))));
        x = nn.functional.adaptive_avg_pool2d(x, 1).flatten(1);
        return classifier.call(x).MoveToOuterDisposeScope();
    }

    private protected override string ExportOnnx(OnnxGraphBuilder graph, string input, string prefix)
    {
        var x = ExportInputPool(graph, input, Options.InputPool);
        x = stem.ExportOnnx(graph, x, $"{prefix}stem");
        for (var i = 0; i < _blocks.Count; i++)
        {
            x = _blocks[i].ExportOnnx(graph, x, $"{prefix}blocks.{i}");
        }
        x = top.ExportOnnx(graph, x, $"{prefix}top");
        return graph.GlobalPoolAndLinear(x, $"{prefix}classifier");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            input_pool.Dispose();
            stem.Dispose();
            blocks.Dispose();
            top.Dispose();
            classifier.Dispose();
        }
        base.Dispose(disposing);
    }

    // Keras' round_filters with depth_divisor 8.
    private static int RoundFilters(int filters)
    {
        const int divisor = 8;
        var scaled = filters * WidthCoefficient;
        return Math.Max(divisor, (int)(scaled + divisor / 2.0) / divisor * divisor);
    }

    private readonly record struct StageConfig(int Kernel, int Repeats, int Input, int Output, int Expand, double SqueezeRatio, int Stride, bool Fused);

    /// <summary>Keras' stochastic depth: in training, drop the whole residual branch per sample.</summary>
    private static Tensor DropPath(Tensor x, double rate, bool training)
    {
        if (!training || rate <= 0)
        {
            return x;
        }
        var keep = 1 - rate;
        var mask = torch.empty([x.shape[0], 1, 1, 1], dtype: x.dtype, device: x.device).bernoulli_(keep);
        return x * mask / keep;
    }

    /// <summary>Keras' FusedMBConvBlock: [expand kxk/s] -> project (1x1, or kxk/s with its activation when expand = 1).</summary>
    private sealed class FusedMBConv : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        private readonly ConvNormActivation? expand;
        private readonly ConvNormActivation project;
        private readonly bool _residual;
        private readonly double _dropRate;

        public FusedMBConv(int input, int output, int kernel, int stride, int expandRatio, double dropRate, BatchNormSettings norm)
            : base(nameof(FusedMBConv))
        {
            if (expandRatio != 1)
            {
                expand = new ConvNormActivation(input, input * expandRatio, kernel, stride, 1, Activation.SiLU, norm);
                project = new ConvNormActivation(input * expandRatio, output, 1, 1, 1, Activation.None, norm);
            }
            else
            {
                project = new ConvNormActivation(input, output, kernel, stride, 1, Activation.SiLU, norm);
            }
            _residual = stride == 1 && input == output;
            _dropRate = dropRate;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var x = expand is null ? input : expand.call(input);
            x = project.call(x);
            if (_residual)
            {
                x = DropPath(x, _dropRate, training).add_(input); // in place: BatchNorm and the drop mask do not need this buffer back
            }
            return x.MoveToOuterDisposeScope();
        }

        public string ExportOnnx(OnnxGraphBuilder graph, string input, string prefix)
        {
            var x = expand is null ? input : expand.ExportOnnx(graph, input, $"{prefix}.expand");
            x = project.ExportOnnx(graph, x, $"{prefix}.project");
            return _residual ? graph.Add(x, input) : x;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                expand?.Dispose();
                project.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    /// <summary>Keras' MBConvBlock: [expand 1x1] -> depthwise kxk/s -> SE -> project 1x1 (+ input).</summary>
    private sealed class MBConv : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        private readonly ConvNormActivation? expand;
        private readonly ConvNormActivation depthwise;
        private readonly SqueezeExcitation? se;
        private readonly ConvNormActivation project;
        private readonly bool _residual;
        private readonly double _dropRate;

        public MBConv(int input, int output, int kernel, int stride, int expandRatio, double squeezeRatio, double dropRate, BatchNormSettings norm)
            : base(nameof(MBConv))
        {
            var expanded = input * expandRatio;
            if (expandRatio != 1)
            {
                expand = new ConvNormActivation(input, expanded, 1, 1, 1, Activation.SiLU, norm);
            }
            depthwise = new ConvNormActivation(expanded, expanded, kernel, stride, expanded, Activation.SiLU, norm);
            if (squeezeRatio > 0)
            {
                se = new SqueezeExcitation(expanded, Math.Max(1, (int)(input * squeezeRatio)));
            }
            project = new ConvNormActivation(expanded, output, 1, 1, 1, Activation.None, norm);
            _residual = stride == 1 && input == output;
            _dropRate = dropRate;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var x = expand is null ? input : expand.call(input);
            x = depthwise.call(x);
            if (se is not null)
            {
                x = se.call(x);
            }
            x = project.call(x);
            if (_residual)
            {
                x = DropPath(x, _dropRate, training).add_(input); // in place: BatchNorm and the drop mask do not need this buffer back
            }
            return x.MoveToOuterDisposeScope();
        }

        public string ExportOnnx(OnnxGraphBuilder graph, string input, string prefix)
        {
            var x = expand is null ? input : expand.ExportOnnx(graph, input, $"{prefix}.expand");
            x = depthwise.ExportOnnx(graph, x, $"{prefix}.depthwise");
            if (se is not null)
            {
                x = se.ExportOnnx(graph, x, $"{prefix}.se");
            }
            x = project.ExportOnnx(graph, x, $"{prefix}.project");
            return _residual ? graph.Add(x, input) : x;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                expand?.Dispose();
                depthwise.Dispose();
                se?.Dispose();
                project.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    /// <summary>Keras' SE: x * sigmoid(se_expand(silu(se_reduce(avgpool(x))))), both 1x1 convs with bias.</summary>
    private sealed class SqueezeExcitation : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        private readonly Conv2d reduce;
        private readonly Conv2d expand;

        public SqueezeExcitation(int channels, int squeezed) : base(nameof(SqueezeExcitation))
        {
            reduce = nn.Conv2d(channels, squeezed, 1);
            expand = nn.Conv2d(squeezed, channels, 1);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var scale = ClassifierModel.SqueezedMap(input);
            scale = torch.sigmoid(expand.call(nn.functional.silu(reduce.call(scale))));
            return (input * scale).MoveToOuterDisposeScope();
        }

        public string ExportOnnx(OnnxGraphBuilder graph, string input, string prefix)
        {
            var scale = graph.GlobalAveragePool(input);
            scale = graph.Conv(scale, $"{prefix}.reduce", hasBias: true, 1, 1, 1);
            scale = graph.Activation(scale, Activation.SiLU);
            scale = graph.Conv(scale, $"{prefix}.expand", hasBias: true, 1, 1, 1);
            scale = graph.Sigmoid(scale);
            return graph.Mul(input, scale);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                reduce.Dispose();
                expand.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
