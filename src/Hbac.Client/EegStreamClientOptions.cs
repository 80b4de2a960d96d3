namespace Hbac.Client;

/// <summary>Where an <see cref="EegStreamClient"/> connects and how long it waits; every wait has a bound.</summary>
public sealed record EegStreamClientOptions
{
    /// <summary>
    /// The inference service: <c>http://host:port</c> (or https) for <see cref="StreamBalancing.Connection"/>;
    /// <c>dns:///host:port</c> (or http://host:port, resolved the same way) for <see cref="StreamBalancing.RoundRobin"/>.
    /// </summary>
    public required Uri Address { get; init; }

    /// <summary>Sent as <c>authorization: Bearer</c> on every call; null sends none.</summary>
    public string? ApiKey { get; init; }

    public StreamBalancing Balancing { get; init; } = StreamBalancing.Connection;

    /// <summary>Longest wait for a TCP (and TLS) connection; a closed port fails at once, a black hole after this.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Deadline of every unary and server-streaming call made through <see cref="EegStreamClient.Inference"/> that sets none itself.</summary>
    public TimeSpan CallDeadline { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The stream's reply watchdog: once the server has had the signal for a reply (50 s in, then every
    /// 2 s), or a write has waited this long, a call that brings no reply within this time is cancelled
    /// and treated as Unavailable (its replica is gone or hung). Also the HTTP/2 keep-alive ping period, so
    /// a connection whose far end went silent fails even while no reply is due.
    /// </summary>
    public TimeSpan ReplyTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Reconnect and resume a stream whose call failed with Unavailable (its replica died); false: the failure ends the stream.</summary>
    public bool Resume { get; init; } = true;

    /// <summary>Reconnect attempts allowed between two delivered replies; one more failure ends the stream with Unavailable.</summary>
    public int MaxResumes { get; init; } = 5;

    /// <summary>
    /// Longest time a stream keeps trying to reconnect after its call failed (no attempt starts after it):
    /// with no replica alive the stream ends with Unavailable after at most this plus one attempt's bound
    /// (<see cref="ConnectTimeout"/> or <see cref="ReplyTimeout"/>).
    /// </summary>
    public TimeSpan ResumeDeadline { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Most signal a stream keeps to re-send when it resumes: the oldest window not yet answered, but at
    /// most this many seconds before the newest sample (default 60 s: one 50-s window and five replies in flight).
    /// </summary>
    public int MaxKeptSeconds { get; init; } = 60;

    /// <summary>Throws when a setting is out of range, naming it.</summary>
    public void Validate()
    {
        if (Address.Scheme is not ("http" or "https" or "dns"))
        {
            throw new ArgumentException($"Address: '{Address}' must be http://, https:// or dns:///", nameof(Address));
        }
        if (Address.Scheme == "dns" && Balancing != StreamBalancing.RoundRobin)
        {
            throw new ArgumentException($"Address: '{Address}' is a dns:/// address, which only round-robin balancing resolves", nameof(Address));
        }
        if (Address.Scheme == "https" && Balancing == StreamBalancing.RoundRobin)
        {
            throw new ArgumentException($"Address: '{Address}': round-robin balancing resolves dns:/// names over plain HTTP/2 (inside a cluster); use connection balancing for https", nameof(Address));
        }
        Positive(ConnectTimeout, nameof(ConnectTimeout));
        Positive(CallDeadline, nameof(CallDeadline));
        Positive(ReplyTimeout, nameof(ReplyTimeout));
        Positive(ResumeDeadline, nameof(ResumeDeadline));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxResumes, nameof(MaxResumes));
        if (MaxKeptSeconds < Contracts.EegStream.ScoredWindowSeconds)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxKeptSeconds), MaxKeptSeconds,
                $"must be at least one scored window ({Contracts.EegStream.ScoredWindowSeconds} s), or a resumed stream could never answer at once");
        }
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, "must be positive");
        }
    }
}
