namespace Aspire.Hosting;

/// <summary>Which server the "redis" resource runs (<c>--redis-server</c>).</summary>
public enum RedisServerKind
{
    /// <summary><c>redis-server</c> when it is on PATH, else the embedded Garnet server.</summary>
    Auto,

    Redis,

    Garnet,
}
