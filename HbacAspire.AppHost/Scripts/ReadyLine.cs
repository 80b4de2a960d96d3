using Grpc.Core;
using Grpc.Net.Client;
using Hbac.Contracts.Security;
using Hbac.Contracts.V1;
using HbacAspire.AppHost.Jobs;
using HbacAspire.AppHost.Replicas;
using Microsoft.Extensions.Hosting;

namespace HbacAspire.AppHost.Scripts;

/// <summary>
/// Prints <c>ready</c> once: when the inference resource is healthy and its <c>ListModels</c> names an
/// active model of each kind (spectrogram and EEG), or, when <paramref name="anyModel"/> (<c>--job
/// none</c>, which never trains the missing one), an active model of either kind. Until then it asks
/// every 2 s (each call is a trace on the dashboard), through restarts of the service. With several
/// replicas it asks each one at its own address behind the proxy, so that "ready" means whichever
/// replica a client reaches serves the models.
/// </summary>
public sealed class ReadyLine(
    IResourceBuilder<ProjectResource> inference, int replicas, ParameterResource apiKey, bool anyModel, ResourceNotificationService notifications, ScriptOutput output)
    : BackgroundService
{
    // Replica id -> its own URL (DCP gives each replica its port in ASPNETCORE_URLS).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _replicaUrls = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var endpoint = inference.GetEndpoint(Aspire.Hosting.HealthCheckBuilderExtensions.GrpcEndpointName);
            if (replicas > 1)
            {
                _ = FollowReplicasAsync(stoppingToken);
            }
            while (true)
            {
                await notifications.WaitForResourceHealthyAsync(inference.Resource.Name, stoppingToken);
                var key = await apiKey.GetValueAsync(stoppingToken);
                // One replica: the proxy's address; several: each replica's own, all of which must serve.
                string[] urls = replicas > 1 ? [.. _replicaUrls.Values] : [endpoint.Url];
                var served = new List<ServedModels?>();
                foreach (var url in urls)
                {
                    served.Add(await ServedAsync(url, key, stoppingToken));
                }
                if (urls.Length == replicas && served.All(s => s is not null && (anyModel ? s.Any : s.All)))
                {
                    output.Ready();
                    var on = replicas > 1 ? $" on each of its {replicas} replicas" : "";
                    output.Status($"ready: {inference.Resource.Name} serves {served[0]!.Describe()}{on}");
                    return;
                }
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped before the models were served.
        }
    }

    private async Task FollowReplicasAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken))
            {
                if (update.Resource == inference.Resource && update.Snapshot.OwnUrl() is { } url)
                {
                    _replicaUrls[update.ResourceId] = url;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private static async Task<ServedModels?> ServedAsync(string url, string? apiKey, CancellationToken cancellationToken)
    {
        try
        {
            using var channel = ApiKeyChannel.ForAddress(url, apiKey);
            var models = await new Inference.InferenceClient(channel).ListModelsAsync(
                new ListModelsRequest(), deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: cancellationToken);
            return ServedModels.From(models);
        }
        catch (RpcException)
        {
            return null;
        }
    }
}
