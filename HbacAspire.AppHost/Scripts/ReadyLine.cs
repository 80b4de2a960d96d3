using Grpc.Core;
using Grpc.Net.Client;
using Hbac.Contracts.Security;
using Hbac.Contracts.V1;
using HbacAspire.AppHost.Jobs;
using Microsoft.Extensions.Hosting;

namespace HbacAspire.AppHost.Scripts;

/// <summary>
/// Prints <c>ready</c> once: when the inference resource is healthy and its <c>ListModels</c> names an
/// active model of each kind (spectrogram and EEG), or, when <paramref name="anyModel"/> (<c>--job
/// none</c>, which never trains the missing one), an active model of either kind. Until then it asks
/// every 2 s (each call is a trace on the dashboard), through restarts of the service.
/// </summary>
public sealed class ReadyLine(IResourceBuilder<ProjectResource> inference, ParameterResource apiKey, bool anyModel, ResourceNotificationService notifications, ScriptOutput output)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var endpoint = inference.GetEndpoint(Aspire.Hosting.HealthCheckBuilderExtensions.GrpcEndpointName);
            while (true)
            {
                await notifications.WaitForResourceHealthyAsync(inference.Resource.Name, stoppingToken);
                if (await ServedAsync(endpoint, await apiKey.GetValueAsync(stoppingToken), stoppingToken) is { } served && (anyModel ? served.Any : served.All))
                {
                    output.Ready();
                    output.Status($"ready: {inference.Resource.Name} serves {served.Describe()}");
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

    private static async Task<ServedModels?> ServedAsync(EndpointReference endpoint, string? apiKey, CancellationToken cancellationToken)
    {
        try
        {
            using var channel = ApiKeyChannel.ForAddress(endpoint.Url, apiKey);
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
