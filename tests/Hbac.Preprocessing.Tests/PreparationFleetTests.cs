using System.Diagnostics;
using Grpc.Core;
using Hbac.Caching;
using Hbac.Contracts.V1;
using Hbac.Tests;
using Xunit.Abstractions;
using StackExchange.Redis;
using PreprocessingClient = Hbac.Contracts.V1.Preprocessing.PreprocessingClient;

namespace Hbac.Preprocessing.Tests;

/// <summary>
/// Several preparations of one dataset sharing one Redis - two service instances on their own ports (two
/// replicas), or two calls on one instance - convert each file once and each reports the whole dataset
/// complete; a claim whose holder died is taken over after its TTL; without Redis every call converts.
/// </summary>
public sealed class PreparationFleetTests(ITestOutputHelper output) : IDisposable
{
    private const int Files = 16;

    // The first half of the files is slow to convert, the second half fast: a call that starts in the second
    // half finishes it early and wraps round to files another call is converting at that moment, so the
    // calls meet on the same files (started at spread places and with even work, they might never).
    private const int SlowColumns = 1000;
    private const int FastColumns = 10;

    // These tests count conversions, and a cache call slower than the 2-s default counts as a miss, which converts the
    // file again: the likely cause of one run with 17 conversions for 16 files on a loaded machine. Here a call waits;
    // what a timed-out one does is the cache's own tests' subject.
    private static readonly Dictionary<string, string> PatientCache = new() { ["TensorCache:OperationTimeout"] = "00:00:30" };

    private readonly TestData _data = new();

    public void Dispose() => _data.Dispose();

    private List<string> WriteDataset(int files = Files, int? columns = null)
    {
        // Distinct content per file (the cache key is the content hash); names in list order.
        return Enumerable.Range(1, files)
            .Select(i => _data.WriteSpectrogram($"kaggle/train_spectrograms/{i:00}.parquet",
                TestData.MakeSpectrogram(columns ?? (i <= files / 2 ? SlowColumns : FastColumns), scale: i)))
            .ToList();
    }

    private static async Task<List<PrepareDatasetUpdate>> PrepareAsync(PreprocessingClient client, string folder = "kaggle")
    {
        using var call = client.PrepareDataset(new PrepareDatasetRequest { Folder = folder }, deadline: DateTime.UtcNow.AddMinutes(2));
        var updates = new List<PrepareDatasetUpdate>();
        await foreach (var update in call.ResponseStream.ReadAllAsync())
        {
            updates.Add(update);
        }
        return updates;
    }

    /// <summary>Each call ends with one result that accounts for the whole dataset, after progress that reached every file.</summary>
    private static PrepareDatasetResult AssertWholeDataset(List<PrepareDatasetUpdate> updates, int total)
    {
        var result = updates[^1].Result;
        Assert.NotNull(result);
        Assert.Equal(total, result.FilesTotal);
        Assert.Equal(total, result.FilesConverted + result.CacheHits + result.FilesConvertedElsewhere + result.FilesFailed);
        var progress = updates.SkipLast(1).Select(u => u.Progress).ToList();
        Assert.All(progress, p =>
        {
            Assert.Equal(total, p.FilesTotal);
            Assert.Equal(p.FilesDone, p.FilesConverted + p.CacheHits + p.FilesConvertedElsewhere + p.FilesFailed);
        });
        Assert.Equal(total, progress[^1].FilesDone);
        Assert.Equal(0, progress[^1].FilesWaiting);
        return result;
    }

    private static async Task AssertEveryFileCachedAndNoClaimLeftAsync(RedisTestServer redis, IEnumerable<string> files, string root)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var database = connection.GetDatabase();
        foreach (var file in files)
        {
            var key = SpectrogramCacheKeys.Spectrogram(TensorCacheKey.HashContent(File.ReadAllBytes(Path.Combine(root, file))));
            Assert.True(await database.KeyExistsAsync(key.Value), $"{file} is not cached");
            Assert.False(await database.KeyExistsAsync(RedisConversionClaims.ClaimKey(key)), $"{file}'s claim was not released");
        }
    }

    [RedisFact]
    public async Task TwoReplicasPreparingOneDatasetConvertEachFileOnceAndBothReportItComplete()
    {
        await using var redis = await RedisTestServer.StartAsync();
        var files = WriteDataset();
        // Two service instances on their own loopback ports sharing one Redis: two replicas.
        await using var first = new PreprocessingHost(_data.Root, redis.ConnectionString, PatientCache, kestrel: true);
        await using var second = new PreprocessingHost(_data.Root, redis.ConnectionString, PatientCache, kestrel: true);
        using var conversions = new ConversionCounter(first, second);

        var clock = Stopwatch.StartNew();
        var runs = await Task.WhenAll(PrepareAsync(first.Client), PrepareAsync(second.Client));
        clock.Stop();

        var results = runs.Select(updates => AssertWholeDataset(updates, Files)).ToList();
        foreach (var result in results)
        {
            output.WriteLine($"replica: {result.FilesConverted} converted, {result.CacheHits} cached when reached, " +
                $"{result.FilesConvertedElsewhere} converted elsewhere while it waited, {result.Elapsed.ToTimeSpan().TotalSeconds:F2} s");
        }
        output.WriteLine($"both done in {clock.Elapsed.TotalSeconds:F2} s; {conversions.Count} conversions for {Files} files");
        // Once each: over both replicas as many conversions as files, and every file cached.
        Assert.Equal(Files, conversions.Count);
        Assert.Equal(Files, results.Sum(r => r.FilesConverted));
        Assert.All(results, r =>
        {
            Assert.True(r.Complete);
            Assert.Equal(0, r.FilesFailed);
            Assert.Equal(0, r.FilesConvertedWithoutClaim);
        });
        await AssertEveryFileCachedAndNoClaimLeftAsync(redis, files, _data.Root);
    }

    [RedisFact]
    public async Task TwoCallsOnOneInstanceConvertEachFileOnceAndBothReportItComplete()
    {
        await using var redis = await RedisTestServer.StartAsync();
        var files = WriteDataset();
        await using var host = new PreprocessingHost(_data.Root, redis.ConnectionString, PatientCache);
        using var conversions = new ConversionCounter(host);

        var runs = await Task.WhenAll(PrepareAsync(host.Client), PrepareAsync(host.Client));

        var results = runs.Select(updates => AssertWholeDataset(updates, Files)).ToList();
        Assert.Equal(Files, conversions.Count);
        Assert.Equal(Files, results.Sum(r => r.FilesConverted));
        Assert.All(results, r => Assert.True(r.Complete));
        await AssertEveryFileCachedAndNoClaimLeftAsync(redis, files, _data.Root);
    }

    [RedisFact]
    public async Task AFileClaimedByAHolderThatDiedIsTakenOverOnceItsClaimExpires()
    {
        await using var redis = await RedisTestServer.StartAsync();
        var files = WriteDataset(files: 3, columns: 20);
        // A holder that died while converting file 2: its claim was never released and nobody renews it.
        var stale = SpectrogramCacheKeys.Spectrogram(TensorCacheKey.HashContent(File.ReadAllBytes(_data.FullPath(files[1]))));
        // Long enough that the first pass (on a busy 2-core machine) reaches file 2 while the claim lives, with
        // seconds to spare for the waiting reports (5 s left only one report once, when the first pass took 3 s).
        var ttl = TimeSpan.FromSeconds(10);
        await using var host = new PreprocessingHost(_data.Root, redis.ConnectionString, PatientCache);
        using var conversions = new ConversionCounter(host);
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString))
        {
            Assert.True(await connection.GetDatabase().StringSetAsync(RedisConversionClaims.ClaimKey(stale), "dead-host:1:token", ttl, When.NotExists));
        }
        var planted = Stopwatch.StartNew();

        var updates = await PrepareAsync(host.Client);

        var result = AssertWholeDataset(updates, 3);
        // Left alone while the claim lived: after the first pass it waited for file 2 ...
        var afterFirstPass = updates[2].Progress;
        Assert.Equal((2, 1), (afterFirstPass.FilesDone, afterFirstPass.FilesWaiting));
        // ... saying so while it waited (the call does not fall silent for the claim's TTL) ...
        var whileWaiting = updates.Skip(3).SkipLast(2).Select(u => u.Progress).ToList();
        Assert.True(whileWaiting.Count >= 2, $"{whileWaiting.Count} progress messages while waiting {ttl} for the claim");
        Assert.All(whileWaiting, p => Assert.Equal((2, 1, files[1]), (p.FilesDone, p.FilesWaiting, p.CurrentFile)));
        // ... and converted it itself only once the claim had expired.
        Assert.True(planted.Elapsed >= ttl, $"finished {planted.Elapsed} after the claim was planted, before its {ttl} TTL ran out");
        Assert.Equal((3, 0, files[1]), (updates[^2].Progress.FilesDone, updates[^2].Progress.FilesWaiting, updates[^2].Progress.CurrentFile));
        Assert.Equal(3, result.FilesConverted);
        Assert.Equal(0, result.FilesConvertedElsewhere);
        Assert.True(result.Complete);
        Assert.Equal(3, conversions.Count);
        await AssertEveryFileCachedAndNoClaimLeftAsync(redis, files, _data.Root);
    }

    [Theory]
    [InlineData(0, 16, 0)]
    [InlineData(1, 16, 8)]
    [InlineData(2, 16, 4)]
    [InlineData(3, 16, 12)]
    [InlineData(4, 16, 2)]
    [InlineData(1, 3, 1)]
    [InlineData(5, 1, 0)]
    [InlineData(1, 0, 0)]
    public void TheCallsRunningAtOnceStartEvenlySpreadOverTheFiles(int index, int count, int expected) =>
        Assert.Equal(expected, Datasets.DatasetPreparer.StartIndex(index, count));

    [Fact]
    public async Task WithoutRedisEveryCallStillConvertsEveryFileAndSaysItHadNoClaim()
    {
        var files = WriteDataset(files: 4, columns: 20);
        // A Redis address where nothing listens: nothing to coordinate through.
        await using var host = new PreprocessingHost(_data.Root);
        using var conversions = new ConversionCounter(host);

        var runs = await Task.WhenAll(PrepareAsync(host.Client), PrepareAsync(host.Client));

        foreach (var updates in runs)
        {
            var result = AssertWholeDataset(updates, 4);
            Assert.Equal(4, result.FilesConverted);
            Assert.Equal(4, result.FilesConvertedWithoutClaim);
            Assert.Equal(0, result.FilesFailed);
            // Converted, but not cached: the dataset is not complete in the cache.
            Assert.False(result.Complete);
        }
        Assert.Equal(8, conversions.Count);
    }

    [RedisFact]
    public async Task ConcurrentConversionsOfOneFileConvertItOnceAndTheOthersGetTheCachedTensor()
    {
        await using var redis = await RedisTestServer.StartAsync();
        var spectrogram = TestData.MakeSpectrogram(3000);
        var path = _data.WriteSpectrogram("train_spectrograms/5.parquet", spectrogram);
        await using var first = new PreprocessingHost(_data.Root, redis.ConnectionString, PatientCache, kestrel: true);
        await using var second = new PreprocessingHost(_data.Root, redis.ConnectionString, PatientCache, kestrel: true);
        using var conversions = new ConversionCounter(first, second);

        var responses = await Task.WhenAll(
            Enumerable.Range(0, 4).Select(i => (i % 2 == 0 ? first : second).Client
                .ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Path = path, IncludeTensor = true }, deadline: DateTime.UtcNow.AddMinutes(1)).ResponseAsync));

        Assert.Equal(1, conversions.Count);
        Assert.Equal(1, responses.Count(r => !r.CacheHit));
        Assert.All(responses, r => Assert.Equal(TestData.WithoutNaN(spectrogram), r.Spectrogram.ToFloats()));
    }
}
