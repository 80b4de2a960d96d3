using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HbacAspire.AppHost.Health;

/// <summary>Healthy when the server behind <paramref name="endpoint"/> answers a RESP <c>PING</c> with <c>+PONG</c>.</summary>
public sealed class RedisPingHealthCheck(EndpointReference endpoint) : IHealthCheck
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Not IsAllocated: an EndpointReference remembers its first answer, and a check may run before allocation.
        if (endpoint.EndpointAnnotation.AllocatedEndpoint is null)
        {
            return HealthCheckResult.Unhealthy("endpoint not allocated yet");
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            var reply = Encoding.ASCII.GetString(buffer, 0, read).TrimEnd();
            return reply == "+PONG" ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy($"PING answered '{reply}'");
        }
        catch (Exception exception) when (exception is SocketException or IOException
                                          || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return HealthCheckResult.Unhealthy($"no PONG from {endpoint.Host}:{endpoint.Port}: {exception.Message}");
        }
    }
}
