using HbacAspire.AppHost.Scripts;
using Microsoft.Extensions.Logging;

namespace HbacAspire.AppHost.Jobs;

/// <summary>
/// The job's view of the running app model: endpoints allocated by DCP, the services' key (the AppHost's parameter), health from Aspire's
/// notifications, and its state published on its resource by <paramref name="publishState"/>.
/// </summary>
public sealed class AspireJobEnvironment(
    IReadOnlyDictionary<string, IResourceBuilder<ProjectResource>> services,
    ParameterResource apiKey,
    ResourceNotificationService notifications,
    ILogger jobLog,
    ScriptOutput output,
    Func<string, Task> publishState) : IJobEnvironment
{
    public Uri Endpoint(string resource) =>
        new(services[resource].GetEndpoint(Aspire.Hosting.HealthCheckBuilderExtensions.GrpcEndpointName).Url);

    // The count WithReplicas gave the project (the last annotation wins, as DCP reads it).
    public int Replicas(string resource) =>
        services[resource].Resource.Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1;

    public async Task<string?> ApiKeyAsync(CancellationToken cancellationToken) => await apiKey.GetValueAsync(cancellationToken);

    // Wait through a crash and its restart rather than giving up at the first unhealthy report.
    public Task WaitUntilHealthyAsync(string resource, CancellationToken cancellationToken) =>
        notifications.WaitForResourceHealthyAsync(resource, WaitBehavior.WaitOnResourceUnavailable, cancellationToken);

    public void Report(string line)
    {
        jobLog.LogInformation("{Line}", line);
        output.Status("job: " + line);
    }

    public Task SetStateAsync(string state) => publishState(state);
}
