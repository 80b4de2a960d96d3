using Grpc.Core;
using Grpc.Net.Client;
using Hbac.Contracts.Security;
using Hbac.Contracts.V1;

namespace Aspire.Hosting;

public static class InferenceCommandExtensions
{
    /// <summary>
    /// "Activate the newest models": for each input kind (the spectrogram model that Score uses, the
    /// EEG-window model that StreamEeg uses), the newest valid version of the repository becomes the served one.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithActivateNewestModelCommand(this IResourceBuilder<ProjectResource> inference,
        IResourceBuilder<ParameterResource> apiKey) =>
        inference.WithCommand("activate-newest", "Activate the newest models", async context =>
        {
            try
            {
                using var channel = ApiKeyChannel.ForAddress(inference.GetEndpoint(HealthCheckBuilderExtensions.GrpcEndpointName).Url,
                    await apiKey.Resource.GetValueAsync(context.CancellationToken));
                var client = new Inference.InferenceClient(channel);
                var models = await client.ListModelsAsync(new ListModelsRequest(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: context.CancellationToken);
                var newest = models.Models.Where(m => m.Valid)
                    .GroupBy(m => m.InputKind)
                    .Select(kind => kind.OrderByDescending(m => m.CreatedAt?.ToDateTime() ?? DateTime.MinValue)
                        .ThenByDescending(m => m.Version, StringComparer.Ordinal).First())
                    .ToList();
                if (newest.Count == 0)
                {
                    return CommandResults.Failure("the model repository holds no valid model");
                }
                foreach (var model in newest.Where(m => !m.Active))
                {
                    await client.ActivateModelAsync(new ActivateModelRequest { Version = model.Version },
                        deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: context.CancellationToken);
                }
                return CommandResults.Success();
            }
            catch (RpcException exception)
            {
                return CommandResults.Failure($"{exception.StatusCode}: {exception.Status.Detail}");
            }
        },
        new CommandOptions
        {
            Description = "Serve the newest valid model of each input kind (spectrogram for Score, EEG window for StreamEeg)",
            IconName = "ArrowSync",
            UpdateState = state => state.ResourceSnapshot.HealthStatus is Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
                or Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded
                ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
        });
}
