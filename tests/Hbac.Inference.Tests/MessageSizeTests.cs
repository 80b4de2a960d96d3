using Grpc.Core;
using Hbac.Contracts.V1;
using Hbac.Inference.Tests.Support;

namespace Hbac.Inference.Tests;

/// <summary>
/// Issue 12, classes 11 and 13, on real Kestrel and HTTP/2 (a TestServer has neither a request body limit
/// nor header limits): Hbac:MaxMessageBytes (32 MiB) is the one message limit. A ScoreBatch just under it,
/// above Kestrel's default body limit of 30,000,000 bytes, is scored; one just over gets ResourceExhausted,
/// not Unknown. A 10-kB id comes back as the real status code.
/// </summary>
public sealed class MessageSizeTests : IDisposable
{
    private const int Limit = 32 * 1024 * 1024;
    private readonly InferenceFactory _factory;
    private readonly Contracts.V1.Inference.InferenceClient _client;

    public MessageSizeTests()
    {
        _factory = new InferenceFactory(repository => TinyOnnxModel.Favouring(2).Publish(repository, "v1"), kestrel: true);
        _client = new Contracts.V1.Inference.InferenceClient(_factory.CreateChannel());
    }

    public void Dispose() => _factory.Dispose();

    private static ScoreBatchRequest Batch(int windows)
    {
        var request = new ScoreBatchRequest();
        var tensor = Inputs.Tensor(0, 0, 0);
        request.Items.AddRange(Enumerable.Range(0, windows).Select(_ => new ScoreRequest { Tensor = tensor }));
        return request;
    }

    [Fact]
    public async Task AMessageJustUnderTheLimitIsScoredAndOneJustOverIsResourceExhausted()
    {
        var under = Batch(23);
        var over = Batch(24);
        Assert.InRange(under.CalculateSize(), 30_000_001, Limit - 1);
        Assert.InRange(over.CalculateSize(), Limit + 1, Limit + 1_500_000);

        var scored = await _client.ScoreBatchAsync(under);
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.ScoreBatchAsync(over).ResponseAsync);

        Assert.Equal(23, scored.Results.Count);
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal("v1", (await _client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(0, 0, 0) })).ModelVersion);
    }

    [Fact]
    public async Task ATenKilobyteIdComesBackAsTheRealStatusOverHttp2()
    {
        var id = new string('7', 10_240);

        var error = await Assert.ThrowsAsync<RpcException>(() => _client.ActivateModelAsync(new ActivateModelRequest { Version = id }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("... (10240 chars)", error.Status.Detail);
    }
}
