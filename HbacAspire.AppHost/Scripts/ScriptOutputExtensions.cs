using HbacAspire.AppHost;
using HbacAspire.AppHost.Scripts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Aspire.Hosting;

/// <summary>
/// What scripts read from the AppHost: stdout carries only <c>endpoint &lt;resource&gt; &lt;url&gt;</c>
/// lines and, later, <c>ready</c>; every log and status line goes to stderr.
/// </summary>
public static class ScriptOutputExtensions
{
    private const string DashboardResourceName = "aspire-dashboard";

    public static IDistributedApplicationBuilder AddHbacConsole(this IDistributedApplicationBuilder builder, AppHostOptions options)
    {
        builder.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddSingleton(ScriptOutput.Console);

        builder.Eventing.Subscribe<BeforeStartEvent>((_, _) =>
        {
            if (DashboardLoginUrl(builder.Configuration) is { } login)
            {
                ScriptOutput.Console.Endpoint("dashboard", login);
            }
            foreach (var redis in builder.Resources.OfType<RedisServerResource>())
            {
                ScriptOutput.Console.Status($"{redis.Name}: {redis.Server}");
            }
            return Task.CompletedTask;
        });
        builder.Eventing.Subscribe<ResourceEndpointsAllocatedEvent>((allocated, _) =>
        {
            // The dashboard is a resource too; its line is the login URL above.
            if (allocated.Resource is IResourceWithEndpoints resource && resource.Name != DashboardResourceName)
            {
                foreach (var endpoint in resource.Annotations.OfType<EndpointAnnotation>().Where(e => e.AllocatedEndpoint is not null))
                {
                    var url = endpoint.AllocatedEndpoint!;
                    ScriptOutput.Console.Endpoint(resource.Name, resource is RedisServerResource ? $"redis://{url.Address}:{url.Port}" : url.UriString);
                }
            }
            return Task.CompletedTask;
        });
        return builder;
    }

    /// <summary>The dashboard's first URL with its browser-token login, or null when this run has no dashboard (tests, publishing).</summary>
    public static string? DashboardLoginUrl(IConfiguration configuration) =>
        DashboardUrlExtensions.DashboardBaseUrl(configuration) is not { } root ? null
        : configuration["AppHost:BrowserToken"] is { Length: > 0 } token ? $"{root}/login?t={token}"
        : root;
}
