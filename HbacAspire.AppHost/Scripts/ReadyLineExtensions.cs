using HbacAspire.AppHost.Scripts;
using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting;

public static class ReadyLineExtensions
{
    /// <summary>Prints <c>ready</c> on stdout once <paramref name="inference"/> serves a model (what scripts and the README wait for).</summary>
    public static IDistributedApplicationBuilder AddReadyLine(this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> inference)
    {
        builder.Services.AddHostedService(provider => new ReadyLine(
            inference, provider.GetRequiredService<ResourceNotificationService>(), provider.GetRequiredService<ScriptOutput>()));
        return builder;
    }
}
