using Grpc.Core;
using Hbac.Tests.Grpc;
using Hbac.Inference.Tests.Support;

namespace Hbac.Inference.Tests;

/// <summary>
/// Every RPC of the inference service requires the API key: none is Unauthenticated, a wrong one PermissionDenied,
/// the right one reaches the handler; health and reflection answer without a key.
/// </summary>
public sealed class ApiKeyTests : IAsyncLifetime
{
    private readonly InferenceFactory _host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _host.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task EveryRpcWithoutAKeyIsUnauthenticated()
    {
        using var channel = _host.CreateChannel(null);

        var results = await RpcProbe.CallEveryRpcAsync(channel, Contracts.V1.Inference.Descriptor);

        Assert.NotEmpty(results);
        Assert.All(results, call => Assert.Equal((call.Method, StatusCode.Unauthenticated), call));
    }

    [Fact]
    public async Task EveryRpcWithAWrongKeyIsPermissionDenied()
    {
        using var channel = _host.CreateChannel("not-the-key-" + TestApiKey.Value);

        var results = await RpcProbe.CallEveryRpcAsync(channel, Contracts.V1.Inference.Descriptor);

        Assert.All(results, call => Assert.Equal((call.Method, StatusCode.PermissionDenied), call));
    }

    [Fact]
    public async Task EveryRpcWithTheKeyReachesItsHandler()
    {
        using var channel = _host.CreateChannel(TestApiKey.Value);

        var results = await RpcProbe.CallEveryRpcAsync(channel, Contracts.V1.Inference.Descriptor);

        // Empty requests: the handlers answer (OK, or their own InvalidArgument/NotFound), never the key's refusals.
        Assert.All(results, call => Assert.DoesNotContain(call.Status, new[] { StatusCode.Unauthenticated, StatusCode.PermissionDenied, StatusCode.Unimplemented }));
        Assert.Contains(results, call => call.Status == StatusCode.OK);
    }

    [Fact]
    public async Task HealthAndReflectionAnswerWithoutAKey()
    {
        using var channel = _host.CreateChannel(null);

        await RpcProbe.AssertHealthAndReflectionAnswerAsync(channel, Contracts.V1.Inference.Descriptor);
    }
}
