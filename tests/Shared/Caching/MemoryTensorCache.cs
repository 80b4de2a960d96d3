using System.Collections.Concurrent;
using Hbac.Caching;

namespace Hbac.Tests;

/// <summary>
/// An <see cref="ITensorCache"/> in memory for the services' tests: entries are stored encoded, as Redis
/// holds them, and lookups are counted. <see cref="Available"/> false behaves like Redis being down (every
/// lookup misses, every write fails). Linked into the test projects that reference Hbac.Caching.
/// </summary>
internal sealed class MemoryTensorCache : ITensorCache
{
    private readonly ConcurrentDictionary<string, byte[]> _entries = new();
    private long _hits;
    private long _misses;
    private long _errors;

    public bool Available { get; set; } = true;

    public bool IsAvailable => Available;

    public TensorCacheStatistics Statistics => new(Interlocked.Read(ref _hits), Interlocked.Read(ref _misses), Interlocked.Read(ref _errors));

    /// <summary>The stored entries, encoded with <see cref="TensorEncoding"/>.</summary>
    public IReadOnlyDictionary<string, byte[]> Entries => _entries;

    public IReadOnlyCollection<string> Keys => _entries.Keys.ToList();

    public Task<CachedTensor?> TryGetAsync(TensorCacheKey key, CancellationToken cancellationToken = default)
    {
        if (Available && _entries.TryGetValue(key.Value, out var bytes))
        {
            Interlocked.Increment(ref _hits);
            return Task.FromResult<CachedTensor?>(TensorEncoding.Decode(bytes));
        }
        Interlocked.Increment(ref _misses);
        return Task.FromResult<CachedTensor?>(null);
    }

    public Task<bool> TrySetAsync(TensorCacheKey key, CachedTensor tensor, CancellationToken cancellationToken = default)
    {
        if (!Available)
        {
            Interlocked.Increment(ref _errors);
            return Task.FromResult(false);
        }
        _entries[key.Value] = TensorEncoding.Encode(tensor);
        return Task.FromResult(true);
    }

    public async Task<TensorCacheResult> GetOrCreateAsync(
        TensorCacheKey key, Func<CancellationToken, Task<CachedTensor>> create, CancellationToken cancellationToken = default)
    {
        if (await TryGetAsync(key, cancellationToken) is { } cached)
        {
            return new TensorCacheResult(cached, FromCache: true);
        }
        var created = await create(cancellationToken);
        await TrySetAsync(key, created, cancellationToken);
        return new TensorCacheResult(created, FromCache: false);
    }
}
