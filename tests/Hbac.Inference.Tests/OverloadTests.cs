using Grpc.Core;
using Hbac.Contracts.V1;
using Hbac.Inference.Models;
using Hbac.Inference.Scoring;
using Hbac.Inference.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Hbac.Inference.Tests;

/// <summary>
/// The overload limit end to end: a service whose queue holds one window and whose model is held
/// (an artificially slow model) refuses Score, ScoreBatch and a stream's window with
/// ResourceExhausted, finishes what it had accepted, and answers the next request.
/// </summary>
public sealed class OverloadTests : IDisposable
{
    private static readonly TinyOnnxModel Model = TinyOnnxModel.Favouring(1);
    private readonly InferenceFactory _factory;
    private readonly Contracts.V1.Inference.InferenceClient _client;
    private GatedScorer? _gate;

    public OverloadTests()
    {
        _factory = new InferenceFactory(repository =>
        {
            Model.Publish(repository, "v1");
            TinyOnnxModel.EegFavouring(1).Publish(repository, "e1");
        }, new Dictionary<string, string>
        {
            ["Hbac:MaxQueuedWindows"] = "1",
            ["Hbac:MaxBatchItems"] = "1",
            ["Hbac:MaxBatch"] = "1",
        }, configureServices: services => services.AddSingleton<IBatchScorer>(provider =>
            _gate = new GatedScorer(new ActiveModelScorer(provider.GetRequiredService<IModelRepository>()))));
        _client = new Contracts.V1.Inference.InferenceClient(_factory.CreateChannel());
    }

    public void Dispose()
    {
        _gate?.Open();
        _factory.Dispose();
    }

    [Fact]
    public async Task AnOverloadedServiceRefusesWithResourceExhaustedAndKeepsServing()
    {
        var batcher = _factory.Services.GetRequiredService<MicroBatcher>();
        var gate = _gate ?? throw new InvalidOperationException("the gated scorer was not created");
        // One window held in the model, one waiting: the queue (bound 1) is full.
        var running = _client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(0, 0, 0) });
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        var waiting = _client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(1, 1, 1) });
        await WaitUntilAsync(() => batcher.QueuedWindows == 1);

        var score = await Assert.ThrowsAsync<RpcException>(() => _client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(2, 2, 2) }).ResponseAsync);
        var batch = await Assert.ThrowsAsync<RpcException>(() =>
            _client.ScoreBatchAsync(new ScoreBatchRequest { Items = { new ScoreRequest { Tensor = Inputs.Tensor(3, 3, 3) } } }).ResponseAsync);
        var stream = await StreamUntilEndAsync(seconds: 50);

        foreach (var error in new[] { score, batch, stream })
        {
            Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
            Assert.Contains("at most 1 waiting windows (Hbac:MaxQueuedWindows)", error.Status.Detail);
        }
        Assert.StartsWith("window ending at 50 s: server overloaded", stream.Status.Detail);
        Assert.EndsWith("the stream ends here, reconnect to resume", stream.Status.Detail);

        // What was accepted is answered; then the service takes new work again.
        gate.Open();
        Inputs.AssertProbabilities(Model.Expected([0f, 0f, 0f]), (await running).Probabilities);
        Inputs.AssertProbabilities(Model.Expected([1f, 1f, 1f]), (await waiting).Probabilities);
        var after = await _client.ScoreBatchAsync(new ScoreBatchRequest { Items = { new ScoreRequest { Tensor = Inputs.Tensor(2, 2, 2) } } });
        Inputs.AssertProbabilities(Model.Expected([2f, 2f, 2f]), after.Results[0].Probabilities);
        Assert.Equal("v1", (await _client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(0, 0, 0) })).ModelVersion);
    }

    [Fact]
    public void ABoundBelowMaxBatchItemsIsRefusedOnStart()
    {
        using var factory = new InferenceFactory(settings: new Dictionary<string, string>
        {
            ["Hbac:MaxQueuedWindows"] = "8",
            ["Hbac:MaxBatchItems"] = "16",
        });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateChannel());

        Assert.Contains("MaxQueuedWindows (8) is below MaxBatchItems (16)", error.ToString());
    }

    /// <summary>Streams <paramref name="seconds"/> of EEG (enough for one window) and returns the status the stream ends with.</summary>
    private async Task<RpcException> StreamUntilEndAsync(int seconds)
    {
        using var call = _client.StreamEeg();
        return await Streams.RefusedAsync(call, Inputs.Chunks(Inputs.Eeg(seconds), 200));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the request to be queued");
            await Task.Delay(10);
        }
    }
}
