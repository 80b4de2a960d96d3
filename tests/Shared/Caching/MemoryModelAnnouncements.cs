using Hbac.Caching;

namespace Hbac.Tests;

/// <summary>
/// In-process model announcements: PublishAsync records the version and calls every subscriber, as the
/// Redis channel would. <see cref="Down"/> answers like Redis being unreachable (null), <see cref="Throw"/>
/// like a broken connection. Linked into the test projects that reference Hbac.Caching.
/// </summary>
internal sealed class MemoryModelAnnouncements : IModelAnnouncements
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
