using Hbac.Eeg.Windows;
using Hbac.Onnx;

namespace Hbac.Inference.Scoring;

/// <summary>Six class probabilities (vote order), the model version that produced them, the execution provider it ran on and the precision of its file.</summary>
public sealed record ScoredWindow(float[] Probabilities, string ModelVersion, string ExecutionProvider = "", string Precision = "");

/// <summary>
/// Evaluates a batch of windows [n,3,400,300] of one input kind on one model, or windows pooled as
/// <c>pooling</c> says (<see cref="InputPooling.None"/>: whole); throws NoModelLoadedException when there is none,
/// and <see cref="InputPoolChangedException"/> when the model pools otherwise than the windows were formed.
/// </summary>
public interface IBatchScorer
{
    IReadOnlyList<ScoredWindow> ScoreBatch(ModelInputKind kind, ReadOnlyMemory<float> windows, int n, InputPooling pooling);
}
