using Hbac.Eeg.Windows;
using Hbac.Onnx;

namespace Hbac.Inference.Models;

public static class ModelRepositoryExtensions
{
    /// <summary>
    /// The input pool the active model of <paramref name="kind"/> starts with (none without a model): windows
    /// formed that way are what it reads (<see cref="OnnxClassifier.Pooling"/>).
    /// </summary>
    public static InputPooling ActivePooling(this IModelRepository repository, ModelInputKind kind)
    {
        var model = repository.AcquireActive(kind);
        if (model is null)
        {
            return InputPooling.None;
        }
        try
        {
            return model.Pooling;
        }
        finally
        {
            model.Release();
        }
    }
}
