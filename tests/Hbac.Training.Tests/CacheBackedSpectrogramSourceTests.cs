extern alias preprocessing;
using Hbac.Caching;
using Hbac.Learning.Training;
using Hbac.Training.Spectrograms;
using Hbac.Training.Tests.Support;
using SpectrogramTensorStore = preprocessing::Hbac.Preprocessing.Spectrograms.SpectrogramTensorStore;

namespace Hbac.Training.Tests;

/// <summary>Training reads spectrograms through the preprocessing service's cache entries and gets the windows the parquet files give.</summary>
public sealed class CacheBackedSpectrogramSourceTests
{
    private static readonly TrainingData Data = KaggleTrainingData.Open(SyntheticData.Root);

    private static string[] ParquetFiles => Directory.GetFiles(SyntheticData.SpectrogramFolder, "*.parquet");

    [Fact]
    public async Task AFolderPreparedByThePreprocessingServiceIsReadFromTheCacheWithTheParquetSourcesWindows()
    {
        var cache = new MemoryTensorCache();
        var store = new SpectrogramTensorStore(cache);
        foreach (var file in ParquetFiles)
        {
            await store.GetSpectrogramAsync(await File.ReadAllBytesAsync(file), Path.GetFileName(file));
        }
        var prepared = cache.Statistics;

        var source = new CacheBackedSpectrogramSource(SyntheticData.SpectrogramFolder, cache);
        await AssertSameWindowsAsParquetAsync(source);

        var used = Data.Windows.Select(w => w.SpectrogramId).Distinct().Count();
        Assert.Equal(used, source.CacheHits);
        Assert.Equal(used, source.Loads);
        Assert.Equal(prepared.Hits + used, cache.Statistics.Hits);
        Assert.Equal(prepared.Misses, cache.Statistics.Misses);
    }

    [Fact]
    public async Task AMissConvertsAndFillsTheEntryThePreprocessingServiceWouldRead()
    {
        var cache = new MemoryTensorCache();
        var source = new CacheBackedSpectrogramSource(SyntheticData.SpectrogramFolder, cache);
        await AssertSameWindowsAsParquetAsync(source);
        Assert.Equal(0, source.CacheHits);

        var file = ParquetFiles[0];
        var content = await File.ReadAllBytesAsync(file);
        var filled = await cache.TryGetAsync(SpectrogramCacheKeys.Spectrogram(TensorCacheKey.HashContent(content)));
        var expected = await new SpectrogramTensorStore(new MemoryTensorCache()).GetSpectrogramAsync(content, Path.GetFileName(file));
        Assert.NotNull(filled);
        Assert.Equal([400, expected.Columns], filled.Shape);
        Assert.Equal(expected.Values, filled.Values);
    }

    [Fact]
    public async Task WithoutRedisEveryFileIsConvertedHereAndTheWindowsAreTheSame()
    {
        var cache = new MemoryTensorCache { Available = false };
        var source = new CacheBackedSpectrogramSource(SyntheticData.SpectrogramFolder, cache);

        await AssertSameWindowsAsParquetAsync(source);

        Assert.Equal(0, source.CacheHits);
        Assert.Empty(cache.Keys);
    }

    [Fact]
    public async Task AMissingSpectrogramIsAOneLineDataErrorNamingTheFile()
    {
        var source = new CacheBackedSpectrogramSource(SyntheticData.SpectrogramFolder, new MemoryTensorCache());

        var error = await Assert.ThrowsAsync<Hbac.Eeg.EegDataException>(async () => await source.GetWindowAsync(123456789, 0));

        Assert.Contains("123456789.parquet", error.Message);
    }

    private static async Task AssertSameWindowsAsParquetAsync(CacheBackedSpectrogramSource source)
    {
        var parquet = new ParquetSpectrogramSource(SyntheticData.SpectrogramFolder);
        foreach (var window in Data.Windows)
        {
            var expected = await parquet.GetWindowAsync(window.SpectrogramId, window.OffsetSeconds);
            var actual = await source.GetWindowAsync(window.SpectrogramId, window.OffsetSeconds);
            Assert.Equal(expected, actual);
        }
    }
}
