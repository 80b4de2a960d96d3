using System.Net;
using System.Net.Sockets;

namespace HbacAspire.AppHost.Tests;

internal static class TestSupport
{
    // Every test folder of this run lives under one root, deleted when the test process exits
    // (generated datasets are ~20 MB each).
    private static readonly Lazy<string> Root = new(() =>
    {
        var root = Directory.CreateTempSubdirectory("hbac-apphost-test-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // A temp folder left behind is harmless.
            }
        };
        return root;
    });

    /// <summary>A new empty folder (a full path) for one test.</summary>
    public static string TempDirectory() =>
        Directory.CreateDirectory(Path.Combine(Root.Value, Guid.NewGuid().ToString("N")[..12])).FullName;

    /// <summary>A loopback port nothing listens on (it was free a moment ago).</summary>
    public static int ClosedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs <paramref name="action"/> with Console.Error captured; what it wrote there.</summary>
    public static string CaptureStandardError(Action action)
    {
        var original = Console.Error;
        using var captured = new StringWriter();
        Console.SetError(captured);
        try
        {
            action();
        }
        finally
        {
            Console.SetError(original);
        }
        return captured.ToString();
    }
}
