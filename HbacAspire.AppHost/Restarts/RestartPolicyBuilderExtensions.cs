using HbacAspire.AppHost.Restarts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Aspire.Hosting;

public static class RestartPolicyBuilderExtensions
{
    /// <summary>Restart this resource (every replica of it) when it crashes: after <paramref name="initialDelay"/>, doubling per consecutive crash up to 30 s.</summary>
    public static IResourceBuilder<T> WithRestartPolicy<T>(this IResourceBuilder<T> builder, TimeSpan initialDelay) where T : IResource
    {
        builder.ApplicationBuilder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CrashRestarter>());
        return builder.WithAnnotation(new RestartPolicyAnnotation(BackoffPolicy.Default with { Initial = initialDelay }));
    }
}
