using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Hbac.Tests;

/// <summary>
/// A real Redis server on a free loopback port for one test, without persistence; can be killed
/// and restarted on the same port to test how clients cope with an outage. It is redis-server when
/// that is on PATH, else the embedded Garnet server (src/Hbac.RedisServer, built with the tests),
/// as the AppHost chooses; <c>HBAC_TEST_REDIS=garnet</c> asks for Garnet even where redis-server exists.
/// </summary>
public sealed class RedisTestServer : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hbac-redis-test-").FullName;
    private Process? _process;

    private RedisTestServer(int port) => Port = port;

    /// <summary>redis-server's path, or null when the tests use Garnet.</summary>
    public static string? RedisServerPath { get; } =
        Environment.GetEnvironmentVariable("HBAC_TEST_REDIS") == "garnet" ? null : ExecutablePath.Find("redis-server");

    /// <summary>Hbac.RedisServer.dll (Garnet), built beside the tests in their configuration; null when it is not built.</summary>
    public static string? GarnetAssembly { get; } = FindGarnetAssembly();

    /// <summary>What runs: redis-server, or dotnet with the Garnet host; null when neither is there.</summary>
    public static string? Executable { get; } = RedisServerPath ?? (GarnetAssembly is null ? null : "dotnet");

    /// <summary>"redis-server" or "Garnet", for messages.</summary>
    public static string ServerName => RedisServerPath is not null ? "redis-server" : "Garnet";

    public const string MissingReason = "neither redis-server (apt-get install -y redis-server) nor the built src/Hbac.RedisServer (Garnet) was found";

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("redis-server is not running");

    public static async Task<RedisTestServer> StartAsync()
    {
        var server = new RedisTestServer(FreeLoopbackPort());
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts (again) on the same port and waits until it answers PING.</summary>
    public async Task RestartAsync()
    {
        var info = new ProcessStartInfo(Executable ?? throw new InvalidOperationException(MissingReason))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments = RedisServerPath is not null
            ? ["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory, "--daemonize", "no"]
            : [GarnetAssembly!, "--port", Port.ToString(), "--bind", "127.0.0.1"];
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!await PingAsync(Port))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"{ServerName} did not answer on port {Port}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Kills the server at once (SIGKILL), as a crash would.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    /// <summary>True when something on the port answers +PONG to a RESP PING.</summary>
    public static async Task<bool> PingAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindGarnetAssembly()
    {
        var configuration = typeof(RedisTestServer).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration ?? "Debug";
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var assembly = Path.Combine(folder.FullName, "src", "Hbac.RedisServer", "bin", configuration, "net10.0", "Hbac.RedisServer.dll");
            if (File.Exists(assembly))
            {
                return assembly;
            }
        }
        return null;
    }
}

/// <summary>A fact that needs a Redis server (redis-server or the built Garnet host); skipped with the reason when neither is there.</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (RedisTestServer.Executable is null)
        {
            Skip = RedisTestServer.MissingReason;
        }
    }
}
