using System.Diagnostics;
using Hbac.Learning.Models;
using Hbac.Learning.Onnx;
using Hbac.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Hbac.Learning.Benchmarks;

/// <summary>
/// Milliseconds per image for one configuration (mean over the timed repeats, after one warm-up): wall
/// time, and the process's CPU time (all threads), which stays meaningful on a machine shared with other work.
/// </summary>
public sealed record TorchTiming(string Model, int Batch, double ForwardMsPerImage, double TrainStepMsPerImage, double ForwardCpuMsPerImage, double TrainStepCpuMsPerImage);

public sealed record OrtTiming(string Model, int Batch, double MsPerImage, double CpuMsPerImage);

/// <summary>
/// Times a model's eval forward pass and one training step (Adam, KL(target || softmax) loss, the
/// recipe's step) on random [B,3,400,300] input in TorchSharp, and inference in ONNX Runtime.
/// Process-wide settings (threads, allocator) are the caller's: run each configuration in its own process.
/// </summary>
public static class ModelBenchmark
{
    public const int Height = 400;
    public const int Width = 300;

    /// <param name="nchwConvolutions">Convolutions to run NCHW inside a channels-last model (<see cref="ClassifierModel.UseNchwFor"/>).</param>
    public static TorchTiming MeasureTorch(string model, int batch, int repeats, bool forward = true, bool train = true, ModelOptions? options = null,
        IReadOnlyCollection<string>? nchwConvolutions = null)
    {
        torch.manual_seed(0);
        using var net = ModelCatalog.Create(model, options: options);
        if (nchwConvolutions is not null && !net.UseNchwFor(nchwConvolutions))
        {
            throw new ArgumentException($"{model} cannot run these convolutions NCHW: {string.Join(' ', nchwConvolutions)}", nameof(nchwConvolutions));
        }
        using var input = randn(batch, 3, Height, Width);
        using var target = nn.functional.softmax(randn(batch, 6), 1);

        var (forwardMs, forwardCpu) = (double.NaN, double.NaN);
        if (forward)
        {
            net.eval();
            (forwardMs, forwardCpu) = Time(repeats, batch, () =>
            {
                using var noGrad = no_grad();
                using var output = net.call(input);
            });
        }

        var (trainMs, trainCpu) = (double.NaN, double.NaN);
        if (train)
        {
            net.train();
            using var optimizer = optim.Adam(net.parameters(), lr: 1e-4);
            (trainMs, trainCpu) = Time(repeats, batch, () =>
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                var logits = net.call(input);
                var loss = nn.functional.kl_div(nn.functional.log_softmax(logits, 1), target, reduction: nn.Reduction.Sum, log_target: false) / batch;
                loss.backward();
                optimizer.step();
            });
        }
        return new TorchTiming(model, batch, forwardMs, trainMs, forwardCpu, trainCpu);
    }

    /// <summary>Exports a freshly initialised model to <paramref name="path"/> for the ONNX Runtime timings.</summary>
    public static void ExportForOrt(string model, string path)
    {
        torch.manual_seed(0);
        using var net = ModelCatalog.Create(model);
        OnnxExporter.Export(net, path);
    }

    public static IReadOnlyList<OrtTiming> MeasureOrt(string model, string onnxPath, IEnumerable<int> batches, int repeats, int threads)
    {
        using var classifier = OnnxClassifier.Open(onnxPath, threads);
        return MeasureOrt(model, classifier, batches, repeats);
    }

    /// <summary>The timings on a session already open (its thread count is the session's).</summary>
    public static IReadOnlyList<OrtTiming> MeasureOrt(string model, OnnxClassifier classifier, IEnumerable<int> batches, int repeats)
    {
        var random = new Random(0);
        var results = new List<OrtTiming>();
        foreach (var batch in batches)
        {
            // A model that starts by pooling its input is given the pooled input, as the service's streams give it.
            var input = new float[batch * classifier.InputSize];
            for (var i = 0; i < input.Length; i++)
            {
                input[i] = (float)(random.NextDouble() * 2 - 1);
            }
            // Scored where it lies, as the inference service does (the span overload would copy it first).
            var (ms, cpu) = Time(repeats, batch, () => classifier.Predict((ReadOnlyMemory<float>)input, batch));
            results.Add(new OrtTiming(model, batch, ms, cpu));
        }
        return results;
    }

    /// <summary>Wall and CPU milliseconds per image of one step.</summary>
    private static (double Wall, double Cpu) Time(int repeats, int batch, Action step)
    {
        step(); // warm-up: allocations, kernel selection, graph optimisation
        using var process = Process.GetCurrentProcess();
        var cpuStart = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < repeats; i++)
        {
            step();
        }
        var wall = watch.Elapsed.TotalMilliseconds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuStart).TotalMilliseconds;
        return (wall / repeats / batch, cpu / repeats / batch);
    }
}
