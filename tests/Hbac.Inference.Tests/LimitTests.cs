using Grpc.Core;
using Hbac.Contracts.V1;
using Hbac.Inference.Tests.Support;

namespace Hbac.Inference.Tests;

/// <summary>Message-size and stream-rate limits answer ResourceExhausted, and the service stays up.</summary>
public sealed class LimitTests : IDisposable
{
    private readonly InferenceFactory _factory;
    private readonly Contracts.V1.Inference.InferenceClient _client;

    public LimitTests()
    {
        _factory = new InferenceFactory(repository =>
        {
            TinyOnnxModel.Favouring(2).Publish(repository, "v1");
            TinyOnnxModel.EegFavouring(2).Publish(repository, "e1");
        }, new Dictionary<string, string>
        {
            ["Hbac:StreamMaxSamplesPerSecond"] = "1000",
        });
        _client = new Contracts.V1.Inference.InferenceClient(_factory.CreateChannel());
    }

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task AStreamFasterThanTheRateLimitIsResourceExhausted()
    {
        using var call = _client.StreamEeg();
        var chunk = Inputs.Chunks(Inputs.Eeg(6), 1200).First();

        // A chunk of 1200 samples is over one second's allowance (1000), however slowly it is sent.
        // The server ends the call as soon as it reads the chunk, possibly while the client's write is
        // still flushing. Such a write fails with a status resolved from what the client knows at that
        // instant: the server's status if its trailers were already processed, otherwise Cancelled with
        // no detail (Grpc.Net.Client's ResolveException). That was the flake. The call's own status, which
        // the response stream reports once the trailers arrive, never depends on that timing: assert on it.
        try
        {
            await call.RequestStream.WriteAsync(chunk);
        }
        catch (RpcException)
        {
            // The call ended under the write; its status is checked below.
        }
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("1000 samples per second", error.Status.Detail);
        Assert.Equal(StatusCode.ResourceExhausted, call.GetStatus().StatusCode);
        Assert.Equal("v1", (await _client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(0, 0, 0) })).ModelVersion);
    }

    [Fact]
    public async Task AMessageOverTheSizeLimitIsResourceExhausted()
    {
        // 25 windows of 1.44 MB: over the service's 32 MB message limit.
        var request = new ScoreBatchRequest();
        var tensor = Inputs.Tensor(0, 0, 0);
        request.Items.AddRange(Enumerable.Range(0, 25).Select(_ => new ScoreRequest { Tensor = tensor }));

        var error = await Assert.ThrowsAsync<RpcException>(() => _client.ScoreBatchAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal("v1", (await _client.ScoreAsync(new ScoreRequest { Tensor = tensor })).ModelVersion);
    }
}
