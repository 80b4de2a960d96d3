using System.Net;
using System.Text.Json;

namespace HbacAspire.IntegrationTests.Support;

/// <summary>A service's <c>/health</c> over h2c (its endpoints speak HTTP/2 only), as the AppHost probes it.</summary>
internal static class ServiceHealth
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(5) })
    {
        Timeout = TimeSpan.FromSeconds(5),
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    /// <summary>The report's overall status ("Healthy", "Degraded", "Unhealthy") and the body, or ("unreachable", error).</summary>
    public static async Task<(string Status, string Body)> GetAsync(string serviceUrl)
    {
        try
        {
            var body = await Http.GetStringAsync(serviceUrl + "/health");
            using var json = JsonDocument.Parse(body);
            return (json.RootElement.GetProperty("status").GetString()!, body);
        }
        catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            return ("Unhealthy", e.Message);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return ("unreachable", e.Message);
        }
    }
}
