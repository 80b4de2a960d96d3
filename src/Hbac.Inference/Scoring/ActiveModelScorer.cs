using Hbac.Inference.Models;
using Hbac.Onnx;

namespace Hbac.Inference.Scoring;

/// <summary>Runs a batch on the model of its kind active when the batch starts, holding a reference until it is done.</summary>
public sealed class ActiveModelScorer(IModelRepository repository) : IBatchScorer
{
    public IReadOnlyList<ScoredWindow> ScoreBatch(ModelInputKind kind, ReadOnlyMemory<float> windows, int n)
    {
        var model = repository.AcquireActive(kind) ?? throw new NoModelLoadedException(kind);
        try
        {
            var rows = model.Predict(windows, n);
            return rows.Select(row => new ScoredWindow(row, model.Version, model.ExecutionProvider, model.Precision.Name(), model.Pooling)).ToArray();
        }
        finally
        {
            model.Release();
        }
    }
}
