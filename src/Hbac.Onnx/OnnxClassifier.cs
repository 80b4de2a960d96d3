using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Hbac.Eeg.Windows;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Hbac.Onnx;

/// <summary>
/// Runs any ONNX classifier with one float input [N (or 1), 3, 400, 300] and an output [N, 6]: ours
/// (which has <c>probabilities</c>) or anyone else's (softmax is applied when the output is logits).
/// One <see cref="InferenceSession"/> per file; CUDA is tried first, then CPU. Thread-safe to call
/// <see cref="Predict"/> concurrently. A model that starts by average-pooling its input over whole blocks
/// (the quick EEG profile) runs without that node (<see cref="LeadingInputPool"/>): it takes the pooled input
/// (<see cref="Pooling"/>) as it is, and a whole input is pooled here first.
/// </summary>
public sealed class OnnxClassifier : IDisposable
{
    public const int Channels = 3;
    public const int Height = 400;
    public const int Width = 300;
    public const int ClassCount = 6;
    private const float DistributionTolerance = 1e-3f;

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly bool _fixedBatchOfOne;

    private OnnxClassifier(string path, InferenceSession session, string executionProvider, string? cudaUnavailableReason, string input, string output, bool fixedBatchOfOne,
        InputPooling pooling)
    {
        Pooling = pooling;
        Path = path;
        _session = session;
        ExecutionProvider = executionProvider;
        CudaUnavailableReason = cudaUnavailableReason;
        _inputNames = [input];
        _outputNames = [output];
        _fixedBatchOfOne = fixedBatchOfOne;
        Metadata = session.ModelMetadata.CustomMetadataMap;
        ClassNames = ReadClassNames(Metadata);
    }

    public string Path { get; }

    /// <summary>"CUDA" or "CPU": where the session runs.</summary>
    public string ExecutionProvider { get; }

    /// <summary>Why the session is not on CUDA (the first line of ONNX Runtime's refusal), or null when it is.</summary>
    public string? CudaUnavailableReason { get; }

    public string InputName => _inputNames[0];

    /// <summary>The pooling the model's first node did and this classifier does instead (<see cref="InputPooling.None"/>: none).</summary>
    public InputPooling Pooling { get; }

    /// <summary>Floats per window of the input the session reads: the pooled size, or [3, 400, 300].</summary>
    public int InputSize => Pooling.Size;

    public string OutputName => _outputNames[0];

    /// <summary>True when the model's output already is a probability distribution (<c>probabilities</c>).</summary>
    public bool OutputIsProbabilities => OutputName == OnnxNames.Probabilities;

    /// <summary>The model's metadata_props (class names, model name, card summary for our exports).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Class names from the metadata, or null when the model does not say.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>
    /// Opens and validates a model; <paramref name="threads"/> = 0 lets ONNX Runtime choose.
    /// <paramref name="spinning"/> = false stops ONNX Runtime's worker threads from busy-waiting for the
    /// next run: a service whose other threads (request decoding, streams) need the same cores between
    /// runs should not have them burnt by spinning.
    /// </summary>
    public static OnnxClassifier Open(string path, int threads = 0, Action<string>? log = null, bool spinning = true)
    {
        if (!File.Exists(path))
        {
            throw ModelFileException.InFile(path, "model file not found");
        }
        var (model, pooling) = ReadForSession(path);
        var (session, provider, cudaUnavailable) = CreateSession(path, model, threads, spinning);
        try
        {
            var (input, fixedBatch) = ValidateInput(path, session, pooling);
            var output = ChooseOutput(path, session);
            var why = cudaUnavailable is null ? "" : $" (CUDA unavailable: {cudaUnavailable})";
            var pooled = pooling.IsNone ? "" : $", its first node's {pooling} average pool done before the run";
            log?.Invoke($"{path}: ONNX Runtime {OnnxRuntimeBuild.Version} ({OnnxRuntimeBuild.Package}) on {provider}{why}, input '{input}', output '{output}'{pooled}");
            return new OnnxClassifier(path, session, provider, cudaUnavailable, input, output, fixedBatch, pooling);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Class probabilities for <paramref name="n"/> windows laid out [n,3,400,300] row-major in
    /// <paramref name="batch"/>; one float[6] per window. The input is copied once (into a pooled array);
    /// <see cref="Predict(ReadOnlyMemory{float}, int)"/> scores without the copy.
    /// </summary>
    public float[][] Predict(ReadOnlySpan<float> batch, int n)
    {
        var copy = ArrayPool<float>.Shared.Rent(batch.Length);
        try
        {
            batch.CopyTo(copy);
            return Predict(copy.AsMemory(0, batch.Length), n);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(copy);
        }
    }

    /// <summary>
    /// <see cref="Predict(ReadOnlySpan{float}, int)"/> without copying the input: ONNX Runtime reads
    /// <paramref name="batch"/> where it lies (pinned for the run) and writes the output straight into
    /// a managed array. What a service scoring 1.44 MB windows should call. A model with a
    /// <see cref="Pooling"/> also takes its pooled inputs ([n, 3, 400 / rows, 300 / columns], <see cref="InputSize"/>
    /// each); whole inputs are pooled first (into a pooled array).
    /// </summary>
    public float[][] Predict(ReadOnlyMemory<float> batch, int n)
    {
        const int windowSize = Channels * Height * Width;
        if (n >= 1 && !Pooling.IsNone && batch.Length == (long)n * windowSize)
        {
            var pooled = ArrayPool<float>.Shared.Rent(n * InputSize);
            try
            {
                Pooling.Pool(batch.Span, n, pooled);
                return Predict(pooled.AsMemory(0, n * InputSize), n);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(pooled);
            }
        }
        if (n < 1 || batch.Length != (long)n * InputSize)
        {
            var pooledShape = Pooling.IsNone ? "" : $", or {n} x {InputSize} pooled ([{n},{Channels},{Pooling.PooledHeight},{Pooling.PooledWidth}])";
            throw new ArgumentException($"expected {n} x {windowSize} floats ([{n},{Channels},{Height},{Width}]){pooledShape}, got {batch.Length}", nameof(batch));
        }
        if (_fixedBatchOfOne && n > 1)
        {
            var rows = new float[n][];
            for (var i = 0; i < n; i++)
            {
                rows[i] = Run(batch.Slice(i * InputSize, InputSize), 1)[0];
            }
            return rows;
        }
        return Run(batch, n);
    }

    private float[][] Run(ReadOnlyMemory<float> batch, int n)
    {
        var scores = new float[n * ClassCount];
        // ONNX Runtime only reads the input; the tensor API wants writable memory.
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, MemoryMarshal.AsMemory(batch), [n, Channels, Pooling.PooledHeight, Pooling.PooledWidth]);
        using var output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, scores.AsMemory(), [n, ClassCount]);
        try
        {
            _session.Run(_runOptions, _inputNames, [input], _outputNames, [output]);
        }
        catch (OnnxRuntimeException e)
        {
            // E.g. an output that is not [n, 6] at run time although the model declares it so.
            throw ModelFileException.InFile(Path, $"ONNX Runtime could not score {n} window(s) ({FirstLine(e.Message)})", e);
        }
        return Rows(scores, n);
    }

    private float[][] Rows(ReadOnlySpan<float> values, int n)
    {
        if (values.Length != n * ClassCount)
        {
            throw ModelFileException.InFile(Path, $"output '{OutputName}' returned {values.Length} values for {n} windows, expected {n * ClassCount}");
        }
        var rows = new float[n][];
        for (var i = 0; i < n; i++)
        {
            rows[i] = values.Slice(i * ClassCount, ClassCount).ToArray();
        }
        if (!OutputIsProbabilities && !rows.All(IsDistribution))
        {
            foreach (var row in rows)
            {
                Softmax(row);
            }
        }
        // Every caller (services, CLI, evaluation) gets its probabilities here: an input the network
        // overflows on gives NaN, and a NaN row would still name a class (the first one) downstream.
        for (var i = 0; i < n; i++)
        {
            if (FirstNonFinite(rows[i]) is { } bad)
            {
                throw new ModelOutputException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{Path}: output '{OutputName}' holds {bad} for window {i + 1} of {n}, not a probability; no class is named from it (is the input the normalised model input?)"));
            }
        }
        return rows;
    }

    private static float? FirstNonFinite(float[] row)
    {
        foreach (var p in row)
        {
            if (!float.IsFinite(p))
            {
                return p;
            }
        }
        return null;
    }

    private static (InferenceSession Session, string Provider, string? CudaUnavailable) CreateSession(string path, byte[] model, int threads, bool spinning)
    {
        // CUDA first where the build has it (Microsoft.ML.OnnxRuntime.Gpu.Linux); without the CUDA
        // libraries or a GPU, appending the provider throws and the CPU provider serves.
        string cudaUnavailable;
        if (!OnnxRuntimeBuild.HasCudaProvider)
        {
            cudaUnavailable = $"this build's ONNX Runtime package ({OnnxRuntimeBuild.Package}) has no CUDA provider";
        }
        else if (OnnxRuntimeBuild.MissingCudaLibraries is { Count: > 0 } missing)
        {
            cudaUnavailable = $"CUDA libraries not found: {string.Join(", ", missing)}";
        }
        else
        {
            try
            {
                using var cuda = Options(threads, spinning);
                cuda.AppendExecutionProvider_CUDA(0);
                return (new InferenceSession(model, cuda), "CUDA", null);
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException or OnnxRuntimeException)
            {
                cudaUnavailable = FirstLine(e.Message);
            }
        }
        using var cpu = Options(threads, spinning);
        return (OpenCpu(path, model, cpu), "CPU", cudaUnavailable);
    }

    /// <summary>
    /// A CPU session of <paramref name="path"/> as <see cref="Open"/> runs it (without a leading input pool it does
    /// itself); ONNX Runtime's refusal becomes a <see cref="ModelFileException"/> naming the file.
    /// </summary>
    internal static InferenceSession OpenCpu(string path, SessionOptions options) => OpenCpu(path, ReadForSession(path).Model, options);

    private static InferenceSession OpenCpu(string path, byte[] model, SessionOptions options)
    {
        try
        {
            return new InferenceSession(model, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw ModelFileException.InFile(path, $"not a loadable ONNX model ({FirstLine(e.Message)})", e);
        }
    }

    /// <summary>The model's bytes as a session loads them (without a leading input pool), and the pool left to the caller.</summary>
    private static (byte[] Model, InputPooling Pooling) ReadForSession(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ModelFileException.InFile(path, $"cannot be read ({e.Message})", e);
        }
        return LeadingInputPool.TryStrip(bytes) ?? (bytes, InputPooling.None);
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    /// <summary>The classifier's session options: every graph optimization, errors-only logging, and the thread settings.</summary>
    internal static SessionOptions Options(int threads, bool spinning)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        if (!spinning)
        {
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        }
        if (threads > 0)
        {
            options.IntraOpNumThreads = threads;
            options.InterOpNumThreads = 1;
        }
        return options;
    }

    private static (string Name, bool FixedBatchOfOne) ValidateInput(string path, InferenceSession session, InputPooling pooling)
    {
        var inputs = session.InputMetadata;
        if (inputs.Count != 1)
        {
            throw ModelFileException.InFile(path, $"model has {inputs.Count} inputs ({string.Join(", ", inputs.Keys)}), expected one float input [N,{Channels},{Height},{Width}]");
        }
        var (name, meta) = inputs.First();
        var shape = Describe(meta);
        if (!meta.IsTensor || meta.ElementDataType != TensorElementType.Float)
        {
            throw ModelFileException.InFile(path, $"input '{name}' is {meta.ElementDataType} {shape}, expected float [N,{Channels},{Height},{Width}]");
        }
        var d = meta.Dimensions;
        if (d.Length != 4 || !(d[0] == -1 || d[0] == 1) || d[1] != Channels || d[2] != pooling.PooledHeight || d[3] != pooling.PooledWidth)
        {
            throw ModelFileException.InFile(path, $"input '{name}' has shape {shape}, expected [N,{Channels},{Height},{Width}]");
        }
        return (name, d[0] == 1);
    }

    private static string ChooseOutput(string path, InferenceSession session)
    {
        static bool IsClassScores(NodeMetadata m) =>
            m.IsTensor && m.ElementDataType == TensorElementType.Float && m.Dimensions.Length == 2 && m.Dimensions[1] == ClassCount;

        var outputs = session.OutputMetadata;
        if (outputs.TryGetValue(OnnxNames.Probabilities, out var probabilities) && IsClassScores(probabilities))
        {
            return OnnxNames.Probabilities;
        }
        foreach (var (name, meta) in outputs)
        {
            if (IsClassScores(meta))
            {
                return name;
            }
        }
        var found = string.Join(", ", outputs.Select(o => $"'{o.Key}' {Describe(o.Value)}"));
        throw ModelFileException.InFile(path, $"no float output of shape [N,{ClassCount}] (outputs: {found})");
    }

    private static string Describe(NodeMetadata meta)
    {
        var names = meta.SymbolicDimensions;
        var dims = meta.Dimensions.Select((d, i) => d >= 0 ? d.ToString() : names.Length > i && names[i].Length > 0 ? names[i] : "?");
        return $"[{string.Join(",", dims)}]";
    }

    private static bool IsDistribution(float[] row)
    {
        var sum = 0f;
        foreach (var p in row)
        {
            if (!(p >= 0 && p <= 1))
            {
                return false;
            }
            sum += p;
        }
        return Math.Abs(sum - 1) <= DistributionTolerance;
    }

    private static void Softmax(float[] row)
    {
        var max = row.Max();
        var sum = 0.0;
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = MathF.Exp(row[i] - max);
            sum += row[i];
        }
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = (float)(row[i] / sum);
        }
    }

    private static IReadOnlyList<string>? ReadClassNames(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(OnnxNames.ClassNamesKey, out var json))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<string[]>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}
