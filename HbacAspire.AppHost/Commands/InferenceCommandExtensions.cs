using Grpc.Core;
using Grpc.Net.Client;
using Hbac.Contracts.V1;

namespace Aspire.Hosting;

public static class InferenceCommandExtensions
{
    /// <summary>"Activate the newest model": the newest valid version of the repository becomes the served one.</summary>
    public static IResourceBuilder<ProjectResource> WithActivateNewestModelCommand(this IResourceBuilder<ProjectResource> inference) =>
        inference.WithCommand("activate-newest", "Activate the newest model", async context =>
        {
            try
            {
                using var channel = GrpcChannel.ForAddress(inference.GetEndpoint(HealthCheckBuilderExtensions.GrpcEndpointName).Url);
                var client = new Inference.InferenceClient(channel);
                var models = await client.ListModelsAsync(new ListModelsRequest(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: context.CancellationToken);
                var newest = models.Models.Where(m => m.Valid).OrderByDescending(m => m.CreatedAt?.ToDateTime() ?? DateTime.MinValue)
                    .ThenByDescending(m => m.Version, StringComparer.Ordinal).FirstOrDefault();
                if (newest is null)
                {
                    return CommandResults.Failure("the model repository holds no valid model");
                }
                if (newest.Version == models.ActiveVersion)
                {
                    return CommandResults.Success();
                }
                await client.ActivateModelAsync(new ActivateModelRequest { Version = newest.Version },
                    deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: context.CancellationToken);
                return CommandResults.Success();
            }
            catch (RpcException exception)
            {
                return CommandResults.Failure($"{exception.StatusCode}: {exception.Status.Detail}");
            }
        },
        new CommandOptions
        {
            Description = "Serve the newest valid model of the repository",
            IconName = "ArrowSync",
            UpdateState = state => state.ResourceSnapshot.HealthStatus is Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
                or Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded
                ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
        });
}
