namespace HbacAspire.AppHost.Replicas;

/// <summary>
/// Where one replica of a project listens. DCP puts a proxy on the resource's endpoint and gives each replica
/// its own port in <c>ASPNETCORE_URLS</c>; asking a replica there (not through the proxy) is how the ready line
/// and the tests learn what every replica serves.
/// </summary>
public static class ReplicaAddress
{
    /// <summary>The replica's first URL without a trailing slash, or null before DCP has assigned it.</summary>
    public static string? OwnUrl(this CustomResourceSnapshot snapshot) =>
        snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "ASPNETCORE_URLS")?.Value is { Length: > 0 } urls
            ? urls.Split(';')[0].TrimEnd('/')
            : null;
}
