using Hbac.Caching;
using Hbac.Eeg;
using Hbac.Eeg.Formats.Parquet;
using Hbac.Preprocessing.Spectrograms;
using SpectrogramWindow = Hbac.Eeg.Windows.SpectrogramWindow;

namespace Hbac.Preprocessing.Tests;

public sealed class SpectrogramTensorStoreTests : IDisposable
{
    private readonly TestData _data = new();
    private readonly MemoryTensorCache _cache = new();

    public void Dispose() => _data.Dispose();

    private async Task<byte[]> ParquetAsync(int columns)
    {
        var path = _data.WriteSpectrogram($"train_spectrograms/{columns}.parquet", TestData.MakeSpectrogram(columns));
        return await File.ReadAllBytesAsync(_data.FullPath(path));
    }

    [Fact]
    public async Task AMissFillsTheDocumentedKeyAndTheNextReadHitsIt()
    {
        var parquet = await ParquetAsync(4);
        var store = new SpectrogramTensorStore(_cache);

        var first = await store.GetSpectrogramAsync(parquet, "a.parquet");
        var second = await store.GetSpectrogramAsync(parquet, "a.parquet");
        var byHash = await store.TryGetSpectrogramAsync(first.ContentHash);

        var hash = TensorCacheKey.HashContent(parquet);
        Assert.Equal(hash, first.ContentHash);
        Assert.Equal([$"hbac:tensor:v{TensorEncoding.FormatVersion}:spectrogram:{hash}"], _cache.Entries.Keys);
        Assert.False(first.FromCache);
        Assert.True(second.FromCache);
        Assert.Equal(TestData.WithoutNaN(TestData.MakeSpectrogram(4)), second.Values);
        Assert.Equal(first.Values, byHash!.Values);
        Assert.Null(await store.TryGetSpectrogramAsync(new string('0', 64)));
    }

    [Fact]
    public async Task RefreshRecomputesAndAForeignEntryUnderTheKeyIsReplaced()
    {
        var parquet = await ParquetAsync(3);
        var key = SpectrogramCacheKeys.Spectrogram(TensorCacheKey.HashContent(parquet));
        await _cache.TrySetAsync(key, new CachedTensor([2], [1f, 2f]));
        var store = new SpectrogramTensorStore(_cache);

        var replaced = await store.GetSpectrogramAsync(parquet, "b.parquet");
        var refreshed = await store.GetSpectrogramAsync(parquet, "b.parquet", refresh: true);

        Assert.False(replaced.FromCache);
        Assert.Equal(3, replaced.Columns);
        Assert.Equal([400, 3], TensorEncoding.Decode(_cache.Entries[key.Value]).Shape);
        Assert.False(refreshed.FromCache);
    }

    [Fact]
    public async Task WindowsAreKeyedBySnappedOffsetAndRefusedPastTheEnd()
    {
        var parquet = await ParquetAsync(12);
        var store = new SpectrogramTensorStore(_cache);
        var spectrogram = await store.GetSpectrogramAsync(parquet, "c.parquet");

        var window = await store.GetWindowAsync(spectrogram, 5.5);
        var again = await store.GetWindowAsync(spectrogram, 4);

        Assert.Equal(4.0, window.OffsetSeconds);
        Assert.Contains($"hbac:tensor:v{TensorEncoding.FormatVersion}:window:{spectrogram.ContentHash}:offset=4", _cache.Entries.Keys);
        Assert.True(again.FromCache);
        Assert.Equal(SpectrogramWindow.Decode(TestData.MakeSpectrogram(12), 4), again.Values);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetWindowAsync(spectrogram, 24));
    }

    [Fact]
    public async Task AnEmptySpectrogramIsBadData()
    {
        var path = _data.FullPath("empty.parquet");
        SpectrogramParquetWriter.Write(path, new Eeg.Spectrograms.Spectrogram([], []));
        var store = new SpectrogramTensorStore(_cache);

        var error = await Assert.ThrowsAsync<EegDataException>(() => store.GetSpectrogramAsync(File.ReadAllBytes(path), "empty.parquet"));

        Assert.StartsWith("empty.parquet: ", error.Message);
        Assert.Empty(_cache.Entries);
    }
}
