using Grpc.Core;
using Hbac.Tests.Grpc;
using Hbac.Training.Tests.Support;

namespace Hbac.Training.Tests;

/// <summary>
/// Every RPC of the training service requires the API key: none is Unauthenticated, a wrong one PermissionDenied,
/// the right one reaches the handler; health and reflection answer without a key.
/// </summary>
[Collection("Training service")]
public sealed class ApiKeyTests : IAsyncLifetime
{
    private readonly TrainingHost _host = new(SyntheticData.Root);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task EveryRpcWithoutAKeyIsUnauthenticated()
    {
        using var channel = _host.CreateChannel(null);

        var results = await RpcProbe.CallEveryRpcAsync(channel, Contracts.V1.Training.Descriptor);

        Assert.NotEmpty(results);
        Assert.All(results, call => Assert.Equal((call.Method, StatusCode.Unauthenticated), call));
    }

    [Fact]
    public async Task EveryRpcWithAWrongKeyIsPermissionDenied()
    {
        using var channel = _host.CreateChannel("not-the-key-" + TestApiKey.Value);

        var results = await RpcProbe.CallEveryRpcAsync(channel, Contracts.V1.Training.Descriptor);

        Assert.All(results, call => Assert.Equal((call.Method, StatusCode.PermissionDenied), call));
    }

    [Fact]
    public async Task EveryRpcWithTheKeyReachesItsHandler()
    {
        using var channel = _host.CreateChannel(TestApiKey.Value);

        var results = await RpcProbe.CallEveryRpcAsync(channel, Contracts.V1.Training.Descriptor);

        // Empty requests: the handlers answer (OK, or their own InvalidArgument/NotFound), never the key's refusals.
        Assert.All(results, call => Assert.DoesNotContain(call.Status, new[] { StatusCode.Unauthenticated, StatusCode.PermissionDenied, StatusCode.Unimplemented }));
        Assert.Contains(results, call => call.Status == StatusCode.OK);
    }

    [Fact]
    public async Task HealthAndReflectionAnswerWithoutAKey()
    {
        using var channel = _host.CreateChannel(null);

        await RpcProbe.AssertHealthAndReflectionAnswerAsync(channel, Contracts.V1.Training.Descriptor);
    }
}
