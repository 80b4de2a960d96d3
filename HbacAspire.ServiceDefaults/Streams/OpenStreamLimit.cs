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
    private int _open;

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
        var open = Interlocked.Increment(ref _open);
        if (open > Limit)
        {
            Interlocked.Decrement(ref _open);
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"too many open streams: this service holds at most {Limit} at once ({Setting}); close a stream or retry later"));
        }
        return new Lease(this);
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
                Interlocked.Decrement(ref owner._open);
            }
        }
    }
}
