using System.Collections.Concurrent;
using Hbac.Caching;

namespace Hbac.Training.Tests.Support;

/// <summary>An in-memory <see cref="ITensorCache"/> that counts hits and misses; <see cref="Available"/> false behaves like Redis being down.</summary>
internal sealed class CountingTensorCache : ITensorCache
{
    private readonly ConcurrentDictionary<string, CachedTensor> _entries = new();
    private long _hits;
    private long _misses;
    private long _errors;

    public bool Available { get; set; } = true;

    public bool IsAvailable => Available;

    public TensorCacheStatistics Statistics => new(Interlocked.Read(ref _hits), Interlocked.Read(ref _misses), Interlocked.Read(ref _errors));

    public IReadOnlyCollection<string> Keys => _entries.Keys.ToList();

    public Task<CachedTensor?> TryGetAsync(TensorCacheKey key, CancellationToken cancellationToken = default)
    {
        if (Available && _entries.TryGetValue(key.Value, out var tensor))
        {
            Interlocked.Increment(ref _hits);
            return Task.FromResult<CachedTensor?>(tensor);
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
        _entries[key.Value] = tensor;
        return Task.FromResult(true);
    }

    public async Task<TensorCacheResult> GetOrCreateAsync(
        TensorCacheKey key, Func<CancellationToken, Task<CachedTensor>> create, CancellationToken cancellationToken = default)
    {
        if (await TryGetAsync(key, cancellationToken) is { } cached)
        {
            return new TensorCacheResult(cached, true);
        }
        var tensor = await create(cancellationToken);
        await TrySetAsync(key, tensor, cancellationToken);
        return new TensorCacheResult(tensor, false);
    }
}

/// <summary>Records announced versions; <see cref="Down"/> answers like Redis being unreachable (null), <see cref="Throw"/> like a broken connection.</summary>
internal sealed class RecordingAnnouncements : IModelAnnouncements
{
    private readonly List<string> _published = [];
    private readonly List<Func<string, Task>> _subscribers = [];

    public bool Down { get; set; }

    public bool Throw { get; set; }

    public IReadOnlyList<string> Published
    {
        get
        {
            lock (_published)
            {
                return [.. _published];
            }
        }
    }

    public Task<long?> PublishAsync(string version, CancellationToken cancellationToken = default)
    {
        if (Throw)
        {
            throw new TimeoutException("test: Redis did not answer");
        }
        if (Down)
        {
            return Task.FromResult<long?>(null);
        }
        Func<string, Task>[] subscribers;
        lock (_published)
        {
            _published.Add(version);
            subscribers = [.. _subscribers];
        }
        return NotifyAsync(version, subscribers);
    }

    public Task<IAsyncDisposable> SubscribeAsync(Func<string, Task> onPublished, CancellationToken cancellationToken = default)
    {
        lock (_published)
        {
            _subscribers.Add(onPublished);
        }
        return Task.FromResult<IAsyncDisposable>(new Subscription(() =>
        {
            lock (_published)
            {
                _subscribers.Remove(onPublished);
            }
        }));
    }

    private static async Task<long?> NotifyAsync(string version, Func<string, Task>[] subscribers)
    {
        foreach (var subscriber in subscribers)
        {
            await subscriber(version);
        }
        return subscribers.Length;
    }

    private sealed class Subscription(Action unsubscribe) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            unsubscribe();
            return ValueTask.CompletedTask;
        }
    }
}
