using System.Net;
using System.Net.Sockets;

namespace Hbac.Client.Tests.Support;

/// <summary>
/// A loopback TCP forwarder in front of a server, counting the connections it accepts: what a proxy that
/// balances per connection (Aspire's DCP proxy) would see.
/// </summary>
internal sealed class TcpForwarder : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _accepted;

    public TcpForwarder(int targetPort)
    {
        _listener.Start();
        _accepting = AcceptAsync(targetPort);
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public int Accepted => Volatile.Read(ref _accepted);

    private async Task AcceptAsync(int targetPort)
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _accepted);
                _ = ForwardAsync(client, targetPort);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ForwardAsync(TcpClient client, int targetPort)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, targetPort, _stop.Token);
                var a = client.GetStream();
                var b = server.GetStream();
                await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                // One side closed: the other follows when disposed.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
