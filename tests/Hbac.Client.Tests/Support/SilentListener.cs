using System.Net;
using System.Net.Sockets;

namespace Hbac.Client.Tests.Support;

/// <summary>A TCP port that accepts connections and never answers: a proxy with no replica behind it.</summary>
internal sealed class SilentListener : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _held = [];
    private readonly CancellationTokenSource _stop = new();

    public SilentListener()
    {
        _listener.Start();
        _ = AcceptAsync();
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public int Accepted
    {
        get
        {
            lock (_held)
            {
                return _held.Count;
            }
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_held)
                {
                    _held.Add(client);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_held)
        {
            _held.ForEach(c => c.Dispose());
        }
        _stop.Dispose();
    }
}
