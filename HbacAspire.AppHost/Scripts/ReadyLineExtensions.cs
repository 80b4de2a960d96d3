using HbacAspire.AppHost;
using HbacAspire.AppHost.Scripts;
using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting;

public static class ReadyLineExtensions
{
    /// <summary>
    /// Prints <c>ready</c> on stdout once <paramref name="inference"/> serves a model of each kind (what
    /// scripts and the README wait for); with <c>--job none</c>, once it serves any model. With replicas, once each one does.
    /// </summary>
    public static IDistributedApplicationBuilder AddReadyLine(
        this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> inference, AppHostOptions options,
        IResourceBuilder<ParameterResource> apiKey)
    {
        builder.Services.AddHostedService(provider => new ReadyLine(
            inference, options.InferenceReplicas, apiKey.Resource, anyModel: options.Job == DefaultJobMode.None,
            provider.GetRequiredService<ResourceNotificationService>(), provider.GetRequiredService<ScriptOutput>()));
        return builder;
    }
}
