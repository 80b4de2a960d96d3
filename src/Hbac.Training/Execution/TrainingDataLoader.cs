using Hbac.Caching;
using Hbac.Learning.Training;
using Hbac.Onnx;
using Hbac.Training.Spectrograms;

namespace Hbac.Training.Execution;

/// <summary>
/// Opens a Kaggle-format folder the way <c>hbac train --input</c> does: spectrogram runs read their parquet
/// spectrograms through the shared cache, EEG runs their 50-s windows from the raw EEG of train_eegs/.
/// </summary>
public sealed class TrainingDataLoader(ITensorCache cache)
{
    public TrainingData Open(string folder, ModelInputKind kind)
    {
        var data = KaggleTrainingData.Open(folder, kind: kind);
        // The cache holds parquet spectrogram conversions only: EEG runs and folders of .npy files
        // (hbac convert) keep the library's readers.
        return data.Source is ParquetSpectrogramSource parquet
            ? data with { Source = new CacheBackedSpectrogramSource(parquet.Folder, cache) }
            : data;
    }
}
