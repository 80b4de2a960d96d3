using Hbac.Eeg.Windows;
using Hbac.Inference.Models;
using Hbac.Onnx;

namespace Hbac.Inference.Scoring;

/// <summary>Runs a batch on the model of its kind active when the batch starts, holding a reference until it is done.</summary>
public sealed class ActiveModelScorer(IModelRepository repository) : IBatchScorer
{
    public IReadOnlyList<ScoredWindow> ScoreBatch(ModelInputKind kind, ReadOnlyMemory<float> windows, int n, InputPooling pooling)
    {
        var model = repository.AcquireActive(kind) ?? throw new NoModelLoadedException(kind);
        try
        {
            // Whole windows suit any model (it pools them itself); pooled ones only a model that pools the same way,
            // which their length alone cannot tell (1 x 2 and 2 x 1 give as many values).
            if (!pooling.IsNone && model.Pooling != pooling)
            {
                throw new InputPoolChangedException(model.Version, pooling, model.Pooling);
            }
            var rows = model.Predict(windows, n);
            return rows.Select(row => new ScoredWindow(row, model.Version, model.ExecutionProvider, model.Precision.Name())).ToArray();
        }
        finally
        {
            model.Release();
        }
    }
}
