using TorchSharp;
using static TorchSharp.torch;

namespace Hbac.Learning.Models;

/// <summary>What <see cref="ChannelsLastCheck"/> found: the largest gaps between the two layouts, relative to the NCHW values.</summary>
public sealed record ChannelsLastVerdict(int Batch, double LogitError, double GradientError)
{
    /// <summary>Gaps above this are not float rounding: the layouts agree to about 1e-6 where the kernels are right.</summary>
    public const double Tolerance = 1e-4;

    public bool Agrees => LogitError <= Tolerance && GradientError <= Tolerance;

    public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"libtorch's channels-last convolutions disagree with its NCHW ones on this CPU (batch {Batch}: logits {LogitError:0.###E+0}, gradients {GradientError:0.###E+0} relative, tolerance {Tolerance:0E+0}); training with NCHW convolutions");
}

/// <summary>
/// Checks, for one model at one batch size, that libtorch's channels-last convolutions compute what its NCHW ones do,
/// forward and backward, before a run trains through them. They did not on an AMD EPYC with AVX-512 (libtorch's
/// oneDNN kernels): a 1 x 1 convolution of a channels-last [16, 24, 13, 10] tensor was off by up to 18 while batches
/// of 15 and fewer were exact, and EfficientNetV2-B2's logits were off by 12 of 57 at batch 2. A quick spectrogram
/// run trained through those kernels validated at KL 0.82, and its exported model, which ONNX Runtime computes
/// correctly, scored 1.42 on the same rows: the weights had learnt the wrong function.
/// The check runs in eval mode on an input from its own generator, so the run's random streams and BatchNorm
/// statistics are untouched (BatchNorm's training-mode kernels are not covered).
/// </summary>
public static class ChannelsLastCheck
{
    public static ChannelsLastVerdict Run(ClassifierModel model, int batch, long channels, long height, long width, Device device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        var layout = model.ConvolutionsChannelsLast;
        var training = model.training;
        model.eval();
        try
        {
            var generator = new Generator(20261207, device);
            using var input = randn([batch, channels, height, width], device: device, generator: generator);
            using var weights = randn([batch, model.Classes], device: device, generator: generator);
            var (logits, gradients) = Pass(model, input, weights, channelsLast: true);
            var (nchwLogits, nchwGradients) = Pass(model, input, weights, channelsLast: false);
            return new ChannelsLastVerdict(batch, MaxRelative(logits, nchwLogits), L2Relative(gradients, nchwGradients));
        }
        finally
        {
            model.UseConvolutionLayout(layout);
            model.zero_grad();
            model.train(training);
        }
    }

    private static (float[] Logits, float[] Gradients) Pass(ClassifierModel model, Tensor input, Tensor weights, bool channelsLast)
    {
        model.UseConvolutionLayout(channelsLast);
        model.zero_grad();
        using var scope = NewDisposeScope();
        var logits = model.call(input);
        // A weighted sum, so that every logit's gradient differs and reaches every weight.
        (logits * weights).sum().backward();
        var gradients = model.parameters().Where(p => p.grad is not null).SelectMany(p => p.grad!.cpu().data<float>().ToArray()).ToArray();
        return (logits.detach().cpu().data<float>().ToArray(), gradients);
    }

    internal static double MaxRelative(float[] actual, float[] expected)
    {
        double gap = 0, scale = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            gap = Math.Max(gap, Math.Abs((double)actual[i] - expected[i]));
            scale = Math.Max(scale, Math.Abs((double)expected[i]));
        }
        return scale == 0 ? gap : gap / scale;
    }

    internal static double L2Relative(float[] actual, float[] expected)
    {
        double gap = 0, norm = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var d = (double)actual[i] - expected[i];
            gap += d * d;
            norm += (double)expected[i] * expected[i];
        }
        return norm == 0 ? Math.Sqrt(gap) : Math.Sqrt(gap / norm);
    }
}
