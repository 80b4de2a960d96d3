namespace Hbac.Client;

/// <summary>How an <see cref="EegStreamClient"/> spreads its streams over the replicas behind its address.</summary>
public enum StreamBalancing
{
    /// <summary>
    /// Each stream opens its own connection (its own HTTP/2 connection pool) to the one address, so a
    /// proxy that picks a replica per TCP connection (Aspire's DCP proxy, a Kubernetes ClusterIP Service)
    /// spreads them. The default.
    /// </summary>
    Connection,

    /// <summary>
    /// One channel resolves <c>dns:///host:port</c> to every address behind the name (a Kubernetes
    /// headless Service) and gives each call the next one in turn (gRPC's <c>round_robin</c>); a stream
    /// that resumes goes to a replica still answering.
    /// </summary>
    RoundRobin,
}
