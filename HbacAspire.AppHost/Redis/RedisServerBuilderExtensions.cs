using HbacAspire.AppHost.Health;

namespace Aspire.Hosting;

public static class RedisServerBuilderExtensions
{
    /// <summary>
    /// The "redis" resource: <c>redis-server</c> from PATH, bound to loopback and persisting (AOF plus
    /// snapshots) under <paramref name="dataDirectory"/>; where it is not installed, the
    /// Redis-compatible Garnet server hosted by <c>src/Hbac.RedisServer</c>, with the same contract.
    /// Health is a real RESP PING. With Docker, Aspire's container <c>builder.AddRedis(name)</c> could
    /// take its place unchanged (see README.md).
    /// </summary>
    public static IResourceBuilder<RedisServerResource> AddRedisServer(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, int port, string dataDirectory, RedisServerKind kind = RedisServerKind.Auto)
    {
        Directory.CreateDirectory(dataDirectory);
        var redisServer = kind == RedisServerKind.Garnet ? null : FindOnPath("redis-server");
        if (redisServer is null && kind == RedisServerKind.Redis)
        {
            throw new DistributedApplicationException("--redis-server redis: redis-server is not on PATH (install it with 'sudo apt-get install -y redis-server')");
        }
        var resource = redisServer is not null
            ? new RedisServerResource(name, redisServer, dataDirectory, $"redis-server ({redisServer})")
            : new RedisServerResource(name, "dotnet", dataDirectory, "Garnet, embedded (redis-server is not installed)");

        var redis = builder.AddResource(resource)
            .WithEndpoint(port: HbacAspire.AppHost.AppHostOptions.EndpointPort(port), name: RedisServerResource.EndpointName, scheme: "tcp")
            .WithRedisPingHealthCheck()
            .WithIconName("Database");

        var target = resource.PrimaryEndpoint.Property(EndpointProperty.TargetPort);
        if (redisServer is not null)
        {
            redis.WithArgs(context =>
            {
                context.Args.Add("--port");
                context.Args.Add(target);
                foreach (var argument in new[]
                {
                    "--bind", "127.0.0.1", "--protected-mode", "yes", "--dir", dataDirectory,
                    "--appendonly", "yes", "--appendfsync", "everysec", "--save", "60 1", "--daemonize", "no", "--logfile", "",
                })
                {
                    context.Args.Add(argument);
                }
            });
        }
        else
        {
            redis.WithArgs(context =>
            {
                context.Args.Add(GarnetHostAssembly());
                context.Args.Add("--port");
                context.Args.Add(target);
                foreach (var argument in new[] { "--bind", "127.0.0.1", "--checkpointdir", dataDirectory, "--aof", "--recover", "--device-type", "RandomAccess" })
                {
                    context.Args.Add(argument);
                }
            });
        }
        return redis;
    }

    /// <summary>Hbac.RedisServer.dll, built beside the AppHost (a project reference of it) in the same configuration.</summary>
    private static string GarnetHostAssembly()
    {
        var project = new Projects.Hbac_RedisServer().ProjectPath;
        var configuration = typeof(RedisServerBuilderExtensions).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration ?? "Debug";
        var assembly = Path.Combine(Path.GetDirectoryName(project)!, "bin", configuration, "net10.0", "Hbac.RedisServer.dll");
        return File.Exists(assembly)
            ? assembly
            : throw new DistributedApplicationException($"redis-server is not installed and {assembly} is not built: " +
                "build the AppHost (dotnet build HbacAspire.AppHost) or install redis-server (sudo apt-get install -y redis-server)");
    }

    private static string? FindOnPath(string executable) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, executable))
            .FirstOrDefault(File.Exists);
}
