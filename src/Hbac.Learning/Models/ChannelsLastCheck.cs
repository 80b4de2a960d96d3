using TorchSharp;
using static TorchSharp.torch;

namespace Hbac.Learning.Models;

/// <summary>
/// What <see cref="ChannelsLastCheck"/> found: the largest gaps between the two layouts, relative to the NCHW values, in
/// eval mode (inference without gradients, and forward plus backward) and in train mode.
/// </summary>
public sealed record ChannelsLastVerdict(int Batch, double EvalError, double TrainError)
{
    /// <summary>Eval-mode gaps above this are not float rounding: where the kernels are right they are about 1e-6.</summary>
    public const double EvalTolerance = 1e-4;

    /// <summary>
    /// Train mode normalises by each batch's own statistics, which amplifies rounding: up to 7e-3 of the gradients where
    /// the kernels are right, against 0.2 to 1.6 where they were wrong.
    /// </summary>
    public const double TrainTolerance = 5e-2;

    public bool Agrees => EvalError <= EvalTolerance && TrainError <= TrainTolerance;

    /// <summary>The larger gap as a multiple of its tolerance: above 1 (or NaN) disagrees.</summary>
    public double Severity => Math.Max(EvalError / EvalTolerance, TrainError / TrainTolerance);

    public string Describe() => Disagreement() + "; training with NCHW convolutions";

    /// <summary>This disagreement, mended by running <paramref name="nchw"/> convolutions NCHW, after which the model agreed as <paramref name="mixed"/> says.</summary>
    public string DescribeMixed(int nchw, ChannelsLastVerdict mixed) => Disagreement() + string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"; the {nchw} convolution(s) whose channels-last kernels are wrong run NCHW, the others channels-last (then {mixed.EvalError:0.###E+0} and {mixed.TrainError:0.###E+0})");

    private string Disagreement() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"libtorch's channels-last convolutions disagree with its NCHW ones on this CPU (batch {Batch}: {EvalError:0.###E+0} in eval mode, {TrainError:0.###E+0} in train mode, relative; tolerances {EvalTolerance:0E+0} and {TrainTolerance:0E+0})");
}

/// <summary>
/// Checks, for one model at the batch sizes a run will use, that libtorch's channels-last convolutions compute what its NCHW ones do,
/// forward and backward, before a run trains through them. They did not on an AMD EPYC with AVX-512 (libtorch's
/// oneDNN kernels): a 1 x 1 convolution of a channels-last [16, 24, 13, 10] tensor was off by up to 18 while batches
/// of 15 and fewer were exact, and EfficientNetV2-B2's logits were off by 12 of 57 at batch 2. A quick spectrogram
/// run trained through those kernels validated at KL 0.82, and its exported model, which ONNX Runtime computes
/// correctly, scored 1.42 on the same rows: the weights had learnt the wrong function.
/// The check runs in eval and train mode, each with and without gradients (libtorch picks other kernels for each), on an input from its own
/// generator, and puts back torch's global generator and the BatchNorm statistics, so the run goes on as without it.
/// </summary>
public static class ChannelsLastCheck
{
    public static ChannelsLastVerdict Run(ClassifierModel model, int batch, long channels, long height, long width, Device device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        var layout = model.ConvolutionsChannelsLast;
        var training = model.training;
        // Train-mode passes draw dropout and stochastic-depth masks from torch's global generator and move BatchNorm's
        // running statistics: both are put back, so the run goes on exactly as without the check.
        var rngState = torch.random.get_rng_state();
        var buffers = model.named_buffers().Select(b => (b.buffer, Saved: b.buffer.detach().clone())).ToArray();
        try
        {
            using var generator = new Generator(20261207, device);
            using var input = randn([batch, channels, height, width], device: device, generator: generator);
            using var weights = randn([batch, model.Classes], device: device, generator: generator);
            var evalError = 0.0;
            var trainError = 0.0;
            foreach (var mode in Enum.GetValues<CheckMode>())
            {
                var (logits, gradients) = Pass(model, input, weights, channelsLast: true, mode, rngState, buffers);
                var (nchwLogits, nchwGradients) = Pass(model, input, weights, channelsLast: false, mode, rngState, buffers);
                var error = Math.Max(MaxRelative(logits, nchwLogits), L2Relative(gradients, nchwGradients));
                if (IsTrainMode(mode))
                {
                    trainError = Math.Max(trainError, error);
                }
                else
                {
                    evalError = Math.Max(evalError, error);
                }
            }
            return new ChannelsLastVerdict(batch, evalError, trainError);
        }
        finally
        {
            Restore(rngState, buffers);
            foreach (var (_, saved) in buffers)
            {
                saved.Dispose();
            }
            rngState.Dispose();
            model.UseConvolutionLayout(layout);
            model.zero_grad();
            model.train(training);
        }
    }

    /// <summary>
    /// Each distinct batch size in turn, largest first, stopping at the first that disagrees: which kernel libtorch picks
    /// depends on the batch (on the AMD EPYC a 1 x 1 convolution was exact up to 15 rows and wrong at 16; at 2 threads the
    /// quick models were wrong at 8), so a run checks its full batch and each smaller last batch it will train, recalibrate
    /// or validate on. Returns the disagreeing verdict, else the one with the largest gap.
    /// </summary>
    public static ChannelsLastVerdict Run(ClassifierModel model, IEnumerable<int> batches, long channels, long height, long width, Device device)
    {
        ChannelsLastVerdict? worst = null;
        foreach (var batch in batches.Distinct().OrderDescending())
        {
            var verdict = Run(model, batch, channels, height, width, device);
            if (!verdict.Agrees)
            {
                return verdict;
            }
            if (worst is null || verdict.Severity > worst.Severity)
            {
                worst = verdict;
            }
        }
        return worst ?? throw new ArgumentException("no batch size to check", nameof(batches));
    }

    /// <summary>
    /// Settles <paramref name="model"/>'s layout as a run trains it: channels-last where the whole model agrees at
    /// <paramref name="batches"/>; else only the wrong convolutions NCHW (<see cref="WrongConvolutions"/>) if the model then
    /// agrees; else every convolution NCHW. On an NCHW model, nothing to settle: null.
    /// </summary>
    public static ChannelsLastChoice? Choose(ClassifierModel model, IReadOnlyCollection<int> batches, long channels, long height, long width, Device device)
    {
        if (!model.ConvolutionsChannelsLast)
        {
            return null;
        }
        var verdict = Run(model, batches, channels, height, width, device);
        if (verdict.Agrees)
        {
            return new ChannelsLastChoice(verdict, null);
        }
        var wrong = WrongConvolutions(model, batches, channels, height, width, device);
        if (wrong.Count > 0 && model.UseNchwFor(wrong) && Run(model, batches, channels, height, width, device) is { Agrees: true } mended)
        {
            return new ChannelsLastChoice(verdict, mended, model.NchwConvolutions);
        }
        model.UseNchwFor([]);
        model.UseConvolutionLayout(channelsLast: false);
        return new ChannelsLastChoice(verdict, null);
    }

    /// <summary>The batch sizes a run feeds the network: the full batch and the last, smaller one of each pass over a set.</summary>
    public static IReadOnlyList<int> BatchSizes(int batch, params int[] windowCounts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        var sizes = new SortedSet<int>(Comparer<int>.Create((a, b) => b.CompareTo(a)));
        foreach (var count in windowCounts.Where(c => c > 0))
        {
            sizes.Add(Math.Min(batch, count));
            if (count > batch && count % batch != 0)
            {
                sizes.Add(count % batch);
            }
        }
        if (sizes.Count == 0)
        {
            sizes.Add(batch);
        }
        return [.. sizes];
    }

    /// <summary>
    /// The convolutions (those with a BatchNorm, which <see cref="ClassifierModel.UseNchwFor"/> can single out) whose
    /// channels-last kernels compute something else than their NCHW ones at the input they get at any of
    /// <paramref name="batches"/>, forward or backward: each alone on a random input of its own shape, so that only
    /// those run NCHW. The model's shapes come from one NCHW pass of one window.
    /// </summary>
    public static IReadOnlyList<string> WrongConvolutions(
        ClassifierModel model, IEnumerable<int> batches, long channels, long height, long width, Device device)
    {
        var blocks = model.ConvolutionBlocks();
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        var layout = model.ConvolutionsChannelsLast;
        var training = model.training;
        var hooks = blocks.Select(b => b.Block.register_forward_pre_hook((_, input) =>
        {
            shapes[b.Name] = input.shape;
            return input;
        })).ToArray();
        try
        {
            model.UseConvolutionLayout(channelsLast: false);
            model.eval();
            using var noGrad = no_grad();
            using var window = zeros([1, channels, height, width], device: device);
            using var logits = model.call(window);
        }
        finally
        {
            foreach (var hook in hooks)
            {
                hook.remove();
            }
            model.UseConvolutionLayout(layout);
            model.train(training);
        }

        using var generator = new Generator(20261207, device);
        var sizes = batches.Distinct().ToArray();
        var wrong = blocks
            .Where(b => sizes.Any(batch => !(ConvolutionGap(b.Block.Convolution, [batch, .. shapes[b.Name][1..]], generator, device) <= ChannelsLastVerdict.EvalTolerance)))
            .Select(b => b.Name)
            .ToList();
        model.zero_grad();
        return wrong;
    }

    /// <summary>The largest relative gap between the layouts in one convolution's output, input gradient and weight gradient.</summary>
    private static double ConvolutionGap(nn.Module<Tensor, Tensor> convolution, long[] shape, Generator generator, Device device)
    {
        using var scope = NewDisposeScope();
        var input = randn(shape, device: device, generator: generator);
        var nchwInput = input.clone().requires_grad_(true);
        var channelsLastInput = ClassifierModel.ChannelsLast(input).detach().requires_grad_(true);
        var parameters = convolution.parameters().ToArray();

        convolution.zero_grad();
        var output = convolution.call(nchwInput);
        var weights = randn(output.shape, device: device, generator: generator);
        (output * weights).sum().backward();
        var gradients = parameters.Select(p => p.grad!.clone()).ToArray();

        convolution.zero_grad();
        var channelsLastOutput = convolution.call(channelsLastInput);
        (channelsLastOutput * weights).sum().backward();
        static float[] Values(Tensor t) => t.detach().cpu().data<float>().ToArray();
        var gap = Math.Max(MaxRelative(Values(channelsLastOutput), Values(output)), MaxRelative(Values(channelsLastInput.grad!), Values(nchwInput.grad!)));
        for (var i = 0; i < parameters.Length; i++)
        {
            gap = Math.Max(gap, MaxRelative(Values(parameters[i].grad!), Values(gradients[i])));
        }
        convolution.zero_grad();
        return gap;
    }

    private static bool IsTrainMode(CheckMode mode) => mode is CheckMode.Train or CheckMode.TrainInference;

    /// <summary>
    /// libtorch picks other kernels for each: inference (eval mode, no gradients, as validation scores), eval mode with
    /// gradients, training, and train mode without gradients (as BatchNorm recalibration runs).
    /// </summary>
    private enum CheckMode
    {
        Inference,
        Eval,
        Train,
        TrainInference,
    }

    /// <summary>One pass in one layout and mode, from the same generator state and statistics as the other layout's.</summary>
    private static (float[] Logits, float[] Gradients) Pass(ClassifierModel model, Tensor input, Tensor weights, bool channelsLast, CheckMode mode,
        Tensor rngState, (Tensor Buffer, Tensor Saved)[] buffers)
    {
        Restore(rngState, buffers);
        model.UseConvolutionLayout(channelsLast);
        model.train(IsTrainMode(mode));
        model.zero_grad();
        using var scope = NewDisposeScope();
        if (mode is CheckMode.Inference or CheckMode.TrainInference)
        {
            using var noGrad = no_grad();
            return (model.call(input).cpu().data<float>().ToArray(), []);
        }
        var logits = model.call(input);
        // A weighted sum, so that every logit's gradient differs and reaches every weight.
        (logits * weights).sum().backward();
        var gradients = model.parameters().Where(p => p.grad is not null).SelectMany(p => p.grad!.cpu().data<float>().ToArray()).ToArray();
        return (logits.detach().cpu().data<float>().ToArray(), gradients);
    }

    private static void Restore(Tensor rngState, (Tensor Buffer, Tensor Saved)[] buffers)
    {
        torch.random.set_rng_state(rngState);
        using var noGrad = no_grad();
        foreach (var (buffer, saved) in buffers)
        {
            buffer.copy_(saved);
        }
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
