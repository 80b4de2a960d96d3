namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A Redis server run as a process (no container runtime here): <c>redis-server</c>, or our embedded
/// Garnet host. Its connection string is its endpoint's host:port, so <c>WithReference(redis)</c>
/// injects <c>ConnectionStrings__redis</c> and tests can ask for it, as with Aspire's container <c>AddRedis</c>.
/// </summary>
public sealed class RedisServerResource(string name, string command, string workingDirectory, string server)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    /// <summary>Which server this is, for people: "redis-server 7.0 (/usr/bin/redis-server)" or "Garnet (embedded)".</summary>
    public string Server { get; } = server;

    public EndpointReference PrimaryEndpoint => field ??= new EndpointReference(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}");
}
