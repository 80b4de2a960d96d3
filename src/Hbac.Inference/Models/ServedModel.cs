using Hbac.Eeg.Windows;
using Hbac.Onnx;

namespace Hbac.Inference.Models;

/// <summary>
/// One loaded model version, reference-counted: the repository holds one reference while the version
/// is active, every batch that runs on it holds another, and the ONNX Runtime session is disposed
/// when the last reference goes - so a swap never pulls the session from under a running request.
/// </summary>
public sealed class ServedModel
{
    private readonly OnnxClassifier _classifier;
    private int _references = 1;

    public ServedModel(string version, ModelInputKind kind, OnnxClassifier classifier, ModelPrecision precision = ModelPrecision.Fp32)
    {
        Version = version;
        Kind = kind;
        Precision = precision;
        _classifier = classifier;
    }

    public string Version { get; }

    /// <summary>The windows this model reads; only calls of that kind are routed to it.</summary>
    public ModelInputKind Kind { get; }

    /// <summary>Which of the version's files serves: model.onnx (fp32) or model.int8.onnx.</summary>
    public ModelPrecision Precision { get; }

    public string ExecutionProvider => _classifier.ExecutionProvider;

    /// <summary>The input pool the model starts with, done before its run: a stream can form its windows pooled.</summary>
    public InputPooling Pooling => _classifier.Pooling;

    /// <summary>Why the session is not on CUDA, or null when it is.</summary>
    public string? CudaUnavailableReason => _classifier.CudaUnavailableReason;

    /// <summary>False once the session is disposed; for tests and logs.</summary>
    public bool IsDisposed => Volatile.Read(ref _references) == 0;

    /// <summary>Class probabilities for <paramref name="n"/> windows [n,3,400,300]; the caller holds a reference.</summary>
    public float[][] Predict(ReadOnlyMemory<float> windows, int n) => _classifier.Predict(windows, n);

    /// <summary>Takes a reference unless the model is already retired.</summary>
    public bool TryAcquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current == 0)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _classifier.Dispose();
        }
    }
}
