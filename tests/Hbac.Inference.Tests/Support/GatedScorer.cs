using Hbac.Eeg.Windows;
using Hbac.Inference.Scoring;
using Hbac.Learning.Training;
using Hbac.Onnx;

namespace Hbac.Inference.Tests.Support;

/// <summary>
/// A scorer that holds every batch until <see cref="Open"/> is called, then scores it with
/// <paramref name="inner"/>: an artificially slow model, to fill the batcher's queue on purpose.
/// </summary>
internal sealed class GatedScorer(IBatchScorer inner) : IBatchScorer
{
    private readonly ManualResetEventSlim _gate = new(false);
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the first batch has reached the scorer (and is being held there).</summary>
    public Task Entered => _entered.Task;

    public void Open() => _gate.Set();

    public IReadOnlyList<ScoredWindow> ScoreBatch(ModelInputKind kind, ReadOnlyMemory<float> windows, int n, InputPooling pooling)
    {
        _entered.TrySetResult();
        if (!_gate.Wait(TimeSpan.FromSeconds(60)))
        {
            throw new TimeoutException("the test never opened the gate");
        }
        return inner.ScoreBatch(kind, windows, n, pooling);
    }
}
