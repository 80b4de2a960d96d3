using Google.Protobuf;
using Hbac.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Hbac.Onnx.Quantization;

/// <summary>
/// Runs the (BN-folded) fp32 model with every tensor to be quantized exposed as an extra graph output and
/// records each one's min/max over the windows it is shown: the ranges <see cref="QdqQuantizer.Quantize"/> needs.
/// </summary>
public sealed class ActivationCalibrator : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly int[] _inputShape;

    /// <param name="model">The fp32 model, e.g. <see cref="QdqQuantizer.FoldedModel"/>.</param>
    /// <param name="tensors">The activation tensors to observe (<see cref="QdqQuantizer.CalibrationTensors"/>).</param>
    public ActivationCalibrator(byte[] model, IReadOnlyList<string> tensors, int threads = 0)
    {
        var proto = ModelProto.Parser.ParseFrom(model);
        var graph = proto.Graph;
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var input = graph.Input.First(i => !initializers.Contains(i.Name));
        _inputShape = input.Type.TensorType.Shape.Dim.Skip(1).Select(d => (int)d.DimValue).ToArray();
        var existing = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var tensor in tensors.Where(t => !existing.Contains(t) && t != input.Name))
        {
            // Type without shape: ONNX Runtime infers the shape; the type is all a graph output must state.
            graph.Output.Add(new ValueInfoProto
            {
                Name = tensor,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        }
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        if (threads > 0)
        {
            options.IntraOpNumThreads = threads;
            options.InterOpNumThreads = 1;
        }
        _session = new InferenceSession(proto.ToByteArray(), options);
        _inputNames = [input.Name];
        _outputNames = tensors.Where(t => t != input.Name).ToArray();
        InputTensor = tensors.Contains(input.Name) ? input.Name : null;
    }

    public CalibrationRanges Ranges { get; } = new();

    /// <summary>The model input's name when it is one of the tensors to observe (it is read from the batch itself).</summary>
    private string? InputTensor { get; }

    /// <summary>Observes <paramref name="n"/> windows laid out row-major in <paramref name="batch"/>.</summary>
    public void Observe(ReadOnlySpan<float> batch, int n)
    {
        long[] shape = [n, .. _inputShape.Select(d => (long)d)];
        using var input = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, shape);
        batch.CopyTo(input.GetTensorMutableDataAsSpan<float>());
        if (InputTensor is not null)
        {
            Ranges.Include(InputTensor, batch);
        }
        using var outputs = _session.Run(_runOptions, _inputNames, [input], _outputNames);
        for (var i = 0; i < _outputNames.Length; i++)
        {
            Ranges.Include(_outputNames[i], outputs[i].GetTensorDataAsSpan<float>());
        }
        Ranges.CountWindows(n);
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}
