using Hbac.Eeg.Windows;
using Hbac.Onnx;

namespace Hbac.Inference.Scoring;

/// <summary>
/// Six class probabilities (vote order), the model version that produced them, the execution provider it ran on, the
/// precision of its file, and the input pool it starts with (<see cref="InputPooling.None"/>: none; null: not known):
/// a window pooled for another pool of the same size would have been read as this one's.
/// </summary>
public sealed record ScoredWindow(float[] Probabilities, string ModelVersion, string ExecutionProvider = "", string Precision = "", InputPooling? Pooling = null)
{
    /// <summary>False when the model is known to pool otherwise than <paramref name="formed"/>, the pool a window was formed with (a whole window is read by any).</summary>
    public bool Reads(InputPooling formed) => formed.IsNone || Pooling is not { } pooling || pooling == formed;
}

/// <summary>Evaluates a batch of windows [n,3,400,300] of one input kind on one model; throws NoModelLoadedException when there is none.</summary>
public interface IBatchScorer
{
    IReadOnlyList<ScoredWindow> ScoreBatch(ModelInputKind kind, ReadOnlyMemory<float> windows, int n);
}
