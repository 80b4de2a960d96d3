using Grpc.Core;

namespace HbacAspire.ServiceDefaults.Streams;

/// <summary>
/// Caps the client streams a service holds open at once. Each open stream keeps its buffers (the
/// inference service 0.8 MB of signal, the preprocessing service its spectrogram frames) until it
/// ends; without a cap, clients that open streams and walk away grow the service without bound.
/// A stream beyond the cap is refused at once with ResourceExhausted naming the setting and the limit.
/// Thread-safe; one instance per service, shared by its streaming calls.
/// </summary>
public sealed class OpenStreamLimit
{
    /// <summary>Streams closed between two memory reclaims (see <see cref="Release"/>).</summary>
    public const int ClosedStreamsPerReclaim = 64;

    /// <summary>Delay from the closing that triggers a reclaim to the reclaim, so a wave of closings is reclaimed once.</summary>
    public static readonly TimeSpan ReclaimDelay = TimeSpan.FromSeconds(1);

    private int _open;
    private int _closedSinceReclaim;
    private int _reclaimScheduled;

    /// <param name="limit">Most streams open at once (at least 1).</param>
    /// <param name="setting">The configuration key that sets <paramref name="limit"/>, named in the refusal.</param>
    public OpenStreamLimit(int limit, string setting)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(setting);
        Limit = limit;
        Setting = setting;
    }

    public int Limit { get; }

    public string Setting { get; }

    /// <summary>Streams open now.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>
    /// A place for one stream, released when the lease is disposed (however the stream ends: completed,
    /// cancelled, client gone or failed); throws ResourceExhausted when every place is taken.
    /// </summary>
    public Lease Enter()
    {
        // Compare-and-swap rather than increment-then-undo: a refused caller never counts, even for an instant,
        // so Open (and what the service reports from it) never exceeds the limit.
        while (true)
        {
            var open = Volatile.Read(ref _open);
            if (open >= Limit)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted,
                    $"too many open streams: this service holds at most {Limit} at once ({Setting}); close a stream or retry later"));
            }
            if (Interlocked.CompareExchange(ref _open, open + 1, open) == open)
            {
                return new Lease(this);
            }
        }
    }

    /// <summary>
    /// Gives a place back. A stream's buffers (0.8 MB of signal, chunk arrays of 160 kB and more) are
    /// long-lived or large objects (generation 2 or the large-object heap), which only a full collection
    /// frees; when thousands of streams are abandoned
    /// at once nothing else allocates, no full collection comes, and the service kept 1.4-2.2 GB for good
    /// (issue 12). So after every <see cref="ClosedStreamsPerReclaim"/> closed streams one aggressive full
    /// collection (compacting the large-object heap, returning the freed memory to the system) runs on the
    /// thread pool <see cref="ReclaimDelay"/> later. Its pause is paid once per wave of closings, not per stream.
    /// </summary>
    private void Release()
    {
        Interlocked.Decrement(ref _open);
        if (Interlocked.Increment(ref _closedSinceReclaim) < ClosedStreamsPerReclaim || Interlocked.Exchange(ref _reclaimScheduled, 1) == 1)
        {
            return;
        }
        _ = Task.Delay(ReclaimDelay).ContinueWith(_ =>
        {
            Interlocked.Exchange(ref _closedSinceReclaim, 0);
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            Interlocked.Exchange(ref _reclaimScheduled, 0);
        }, TaskScheduler.Default);
    }

    /// <summary>One stream's place; disposing it twice releases it once.</summary>
    public sealed class Lease : IDisposable
    {
        private OpenStreamLimit? _owner;

        internal Lease(OpenStreamLimit owner) => _owner = owner;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _owner, null) is { } owner)
            {
                owner.Release();
            }
        }
    }
}
