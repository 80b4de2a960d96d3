using System.Net;
using System.Text.Json;
using Grpc.Core;
using Grpc.Health.V1;
using HealthClient = Grpc.Health.V1.Health.HealthClient;
using Grpc.Net.Client;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HbacAspire.AppHost.Health;

/// <summary>
/// A service's health as the dashboard shows it and <c>WaitFor</c> gates on. It asks
/// <c>grpc.health.v1</c> over HTTP/2 (cleartext, so Aspire's HTTP/1.1 <c>WithHttpHealthCheck</c> cannot):
/// NOT_SERVING or no answer is Unhealthy. gRPC health has no "degraded", so a SERVING service's own
/// <c>/health</c> report (also over HTTP/2) says whether it is Degraded and why, e.g.
/// "tensor-cache: redis unreachable".
/// </summary>
public sealed class GrpcHealthCheck(EndpointReference endpoint, HttpMessageHandler handler) : IHealthCheck
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Not IsAllocated: an EndpointReference remembers its first answer, and a check may run before allocation.
        if (endpoint.EndpointAnnotation.AllocatedEndpoint is null)
        {
            return HealthCheckResult.Unhealthy("endpoint not allocated yet");
        }
        var address = new Uri(endpoint.Url);
        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = false });
        try
        {
            var reply = await new HealthClient(channel).CheckAsync(
                new HealthCheckRequest(), deadline: DateTime.UtcNow + Timeout, cancellationToken: cancellationToken);
            if (reply.Status != HealthCheckResponse.Types.ServingStatus.Serving)
            {
                return HealthCheckResult.Unhealthy($"grpc.health.v1 reports {reply.Status}");
            }
        }
        catch (RpcException exception)
        {
            return HealthCheckResult.Unhealthy($"grpc.health.v1 at {address}: {exception.StatusCode}: {exception.Status.Detail}");
        }
        return await DegradedAsync(address, cancellationToken) is { } problems
            ? HealthCheckResult.Degraded(problems)
            : HealthCheckResult.Healthy();
    }

    /// <summary>The non-Healthy checks of the service's <c>/health</c> report, or null when it is Healthy (or says nothing).</summary>
    private async Task<string?> DegradedAsync(Uri address, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout };
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(address, "/health"))
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            using var response = await client.SendAsync(request, cancellationToken);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            if (document.RootElement.GetProperty("status").GetString() != "Degraded")
            {
                return null;
            }
            var problems = document.RootElement.GetProperty("checks").EnumerateArray()
                .Where(check => check.GetProperty("status").GetString() != "Healthy")
                .Select(check => $"{check.GetProperty("name").GetString()}: {check.GetProperty("description").GetString()}");
            return string.Join("; ", problems) is { Length: > 0 } text ? text : "Degraded";
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or JsonException or KeyNotFoundException
                                          or InvalidOperationException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // gRPC health already said SERVING; a report we cannot read does not make the service unhealthy.
            return null;
        }
    }
}
