using System.Net;
using System.Net.Sockets;
using Hbac.Inference.Tests.Support;

namespace Hbac.Cli.Tests.Commands;

/// <summary>
/// A server that accepts the connection and then never answers (hung, or a proxy without a backend): the
/// commands that call the inference service give up after <c>--timeout</c> with one line, instead of waiting
/// forever (before the watchdog these runs hit the test's 2-minute limit).
/// </summary>
public sealed class ServerTimeoutTests : IDisposable
{
    private readonly TempFolder _root = new();
    private readonly SilentServer _server = new();

    public void Dispose()
    {
        _server.Dispose();
        _root.Dispose();
    }

    [Fact]
    public void ListingModelsGivesUpAfterTheTimeout()
    {
        var run = HbacProcess.Run("models", "--server", _server.Url, "--api-key", "a-key-long-enough-for-the-check", "--timeout", "1.5");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"hbac: {_server.Url}: no reply within 1.5 s (--timeout)", Assert.Single(run.StderrLines));
    }

    [Fact]
    public void AReportOnTheServerGivesUpWhenNoReplyComes()
    {
        var recording = _root.File("recording.edf");
        File.WriteAllBytes(recording, new byte[512]);

        var run = HbacProcess.Run("report", recording, "--server", _server.Url, "--api-key", "a-key-long-enough-for-the-check",
            "--out", _root.File("out"), "--timeout", "1");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"hbac: {_server.Url}: no reply within 1 s (--timeout)", run.StderrLines);
        Assert.False(Directory.Exists(_root.File("out")));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("NaN")]
    public void ATimeoutThatIsNotAPositiveNumberOfSecondsIsRefusedByName(string value)
    {
        var run = HbacProcess.Run("models", "--server", _server.Url, "--timeout", value);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("hbac: --timeout: must be a number of seconds", Assert.Single(run.StderrLines));
    }

    /// <summary>Accepts TCP connections on a loopback port and holds them without a byte of HTTP/2.</summary>
    private sealed class SilentServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<Socket> _held = [];
        private readonly Task _accepting;

        public SilentServer()
        {
            _listener.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
            _accepting = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        var socket = await _listener.AcceptSocketAsync();
                        lock (_held)
                        {
                            _held.Add(socket);
                        }
                    }
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    // Stopped.
                }
            });
        }

        public string Url { get; }

        public void Dispose()
        {
            _listener.Stop();
            _accepting.Wait(TimeSpan.FromSeconds(5));
            lock (_held)
            {
                _held.ForEach(s => s.Dispose());
            }
        }
    }
}
