using Grpc.Core;
using Grpc.Health.V1;
using Hbac.Contracts.V1;
using HbacAspire.IntegrationTests.Support;

namespace HbacAspire.IntegrationTests;

/// <summary>The three services as the AppHost runs them: each requires the key of its home, and health answers without it.</summary>
[Collection(StackCollection.Name)]
public sealed class ApiKeyTests(StackFixture stack)
{
    [Fact]
    public async Task EachServiceRefusesNoKeyAndAWrongKeyAndServesTheHomesKey()
    {
        foreach (var service in AspireStack.Services)
        {
            Assert.Equal((service, StatusCode.Unauthenticated), (service, await ListAsync(service, apiKey: null)));
            Assert.Equal((service, StatusCode.PermissionDenied), (service, await ListAsync(service, "not-the-key-of-this-home")));
            // Past the key: inference and training list; preprocessing's handler refuses the empty GetWindow itself.
            var served = service == "preprocessing" ? StatusCode.InvalidArgument : StatusCode.OK;
            Assert.Equal((service, served), (service, await ListAsync(service, stack.AppHost.ApiKey)));
        }
    }

    [Fact]
    public async Task HealthAnswersWithoutAKey()
    {
        foreach (var service in AspireStack.Services)
        {
            using var channel = stack.AppHost.ChannelWithKey(service, apiKey: null);
            var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.Equal((service, HealthCheckResponse.Types.ServingStatus.Serving), (service, health.Status));
        }
    }

    /// <summary>A cheap read-only call of the service with <paramref name="apiKey"/>; the status it ended with.</summary>
    private async Task<StatusCode> ListAsync(string service, string? apiKey)
    {
        using var channel = stack.AppHost.ChannelWithKey(service, apiKey);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        try
        {
            switch (service)
            {
                case "inference":
                    await new Inference.InferenceClient(channel).ListModelsAsync(new ListModelsRequest(), deadline: deadline);
                    break;
                case "training":
                    await new Training.TrainingClient(channel).ListRunsAsync(new ListRunsRequest(), deadline: deadline);
                    break;
                default:
                    await new Preprocessing.PreprocessingClient(channel).GetWindowAsync(new GetWindowRequest(), deadline: deadline);
                    break;
            }
            return StatusCode.OK;
        }
        catch (RpcException exception)
        {
            return exception.StatusCode;
        }
    }
}
