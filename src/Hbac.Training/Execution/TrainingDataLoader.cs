using Hbac.Caching;
using Hbac.Learning.Training;
using Hbac.Training.Spectrograms;

namespace Hbac.Training.Execution;

/// <summary>Opens a Kaggle-format folder the way <c>hbac train</c> does, with parquet spectrograms read through the shared cache.</summary>
public sealed class TrainingDataLoader(ITensorCache cache)
{
    public TrainingData Open(string folder)
    {
        var data = KaggleTrainingData.Open(folder);
        // A folder of .npy files (hbac convert) keeps the library's reader: the cache holds parquet conversions only.
        return data.Source is ParquetSpectrogramSource parquet
            ? data with { Source = new CacheBackedSpectrogramSource(parquet.Folder, cache) }
            : data;
    }
}
