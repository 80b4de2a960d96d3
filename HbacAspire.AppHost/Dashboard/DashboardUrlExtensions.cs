using Hbac.Contracts;
using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting;

/// <summary>Named links from a resource to the dashboard's own chart of one of our instruments.</summary>
public static class DashboardUrlExtensions
{
    /// <summary>
    /// Adds a URL named <paramref name="displayText"/> that opens the dashboard's metrics page on
    /// <paramref name="instrument"/> of the "Hbac" meter for this resource. Nothing when this run has no dashboard.
    /// </summary>
    public static IResourceBuilder<T> WithDashboardChart<T>(this IResourceBuilder<T> builder, string instrument, string displayText)
        where T : IResource
    {
        if (DashboardBaseUrl(builder.ApplicationBuilder.Configuration) is { } root)
        {
            builder.WithUrl($"{root}/metrics/resource/{builder.Resource.Name}?meter={HbacInstruments.MeterName}&instrument={instrument}", displayText);
        }
        return builder;
    }

    /// <summary>The dashboard's first URL without a trailing slash, or null when this run has no dashboard (tests, publishing).</summary>
    public static string? DashboardBaseUrl(IConfiguration configuration) =>
        configuration.GetValue<bool>("DistributedApplicationOptions:DisableDashboard")
        || configuration["ASPNETCORE_URLS"] is not { Length: > 0 } urls
            ? null
            : urls.Split(';', StringSplitOptions.RemoveEmptyEntries)[0].TrimEnd('/');
}
