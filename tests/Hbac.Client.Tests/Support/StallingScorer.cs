using Hbac.Eeg.Windows;
using Hbac.Inference.Scoring;
using Hbac.Onnx;

namespace Hbac.Client.Tests.Support;

/// <summary>
/// Scores the first <paramref name="windows"/> windows with <paramref name="inner"/>, then holds every
/// further batch until <see cref="Release"/>: a replica whose replies are in flight when it dies.
/// </summary>
internal sealed class StallingScorer(IBatchScorer inner, int windows) : IBatchScorer
{
    private readonly ManualResetEventSlim _released = new(false);
    private int _scored;

    public IReadOnlyList<ScoredWindow> ScoreBatch(ModelInputKind kind, ReadOnlyMemory<float> input, int n, InputPooling pooling)
    {
        if (Interlocked.Add(ref _scored, n) > windows)
        {
            _released.Wait(TimeSpan.FromSeconds(60));
        }
        return inner.ScoreBatch(kind, input, n, pooling);
    }

    public void Release() => _released.Set();
}
