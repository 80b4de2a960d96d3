using Grpc.Core;
using Hbac.Contracts.V1;
using Hbac.Inference.Profiling;
using Hbac.Inference.Streaming;
using Hbac.Inference.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using EegWindow = Hbac.Eeg.Windows.EegWindow;

namespace Hbac.Inference.Tests;

/// <summary>GetServingProfile: where a window's time goes inside the service, stage by stage.</summary>
public sealed class ServingProfileTests : IDisposable
{
    private static readonly TinyOnnxModel Model = TinyOnnxModel.Favouring(0);
    private static readonly TinyOnnxModel EegModel = TinyOnnxModel.EegFavouring(3);
    private static readonly string[] Path = ["receive", "window", "queue", "batch_copy", "model", "reply"];
    private readonly InferenceFactory _factory;
    private readonly Contracts.V1.Inference.InferenceClient _client;

    public ServingProfileTests()
    {
        _factory = new InferenceFactory(repository =>
        {
            Model.Publish(repository, "v1");
            EegModel.Publish(repository, "e1");
        }, new Dictionary<string, string> { ["Hbac:StreamMaxSamplesPerSecond"] = "100000" });
        _client = new Contracts.V1.Inference.InferenceClient(_factory.CreateChannel());
    }

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task EveryStageOfAStreamsWindowsIsCountedOncePerWindowAndAResetStartsAfresh()
    {
        await _client.GetServingProfileAsync(new GetServingProfileRequest { Reset = true });
        var replies = await StreamAsync(seconds: 55);
        Assert.Equal(3, replies);

        var profile = await _client.GetServingProfileAsync(new GetServingProfileRequest { Reset = true });
        var eeg = profile.Stages.Where(s => s.InputKind == ModelInputKind.Eeg).ToList();
        Assert.Equal(Path, eeg.Select(s => s.Stage));
        Assert.All(eeg, s => Assert.Equal(3, s.Windows));
        Assert.All(eeg, s => Assert.True(s.WallMs >= 0));
        // The window's input (16 chains of band-pass and 300 FFT frames) is real work; waiting is not CPU.
        Assert.True(eeg.Single(s => s.Stage == "window").WallMs > 0);
        Assert.All(eeg.Where(s => s.Stage is "queue" or "model"), s => Assert.Equal(0, s.CpuWindows));
        if (OperatingSystem.IsLinux())
        {
            Assert.All(eeg.Where(s => s.Stage is "receive" or "window" or "batch_copy"), s => Assert.Equal(3, s.CpuWindows));
            Assert.True(eeg.Single(s => s.Stage == "window").CpuMs > 0);
            // Taking a chunk's samples out of its message is a copy; it must not include the window's computation.
            Assert.True(eeg.Single(s => s.Stage == "receive").CpuMs < eeg.Single(s => s.Stage == "window").CpuMs / 4);
        }
        Assert.True(profile.Seconds > 0);

        var after = await _client.GetServingProfileAsync(new GetServingProfileRequest());
        Assert.Empty(after.Stages);
    }

    [Fact]
    public async Task AScoredTensorIsCountedUnderTheSpectrogramModel()
    {
        await _client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(0.5f, -1f, 2f) });
        var profile = await _client.GetServingProfileAsync(new GetServingProfileRequest());
        var spectrogram = profile.Stages.Where(s => s.InputKind == ModelInputKind.Spectrogram).ToList();
        Assert.Equal(["receive", "queue", "batch_copy", "model", "reply"], spectrogram.Select(s => s.Stage));
        Assert.All(spectrogram, s => Assert.Equal(1, s.Windows));
        Assert.DoesNotContain(profile.Stages, s => s.InputKind == ModelInputKind.Eeg);
    }

    [Fact]
    public async Task AStreamGivesItsScoredInputsBackToThePool()
    {
        var pool = _factory.Services.GetRequiredService<WindowInputPool>();
        Assert.Equal(0, pool.Available);
        // 1-s chunks: each window is scored before the next is formed, so one array serves them all.
        Assert.Equal(6, await StreamAsync(seconds: 61));
        Assert.Equal(1, pool.Available);
    }

    [Fact]
    public async Task ScoreCallsShareOnePooledInputEachAnsweringItsOwnTensor()
    {
        var pool = _factory.Services.GetRequiredService<WindowInputPool>();
        float[][] means = [[0.5f, -1f, 2f], [-2f, 0f, 1f], [0.5f, -1f, 2f]];
        foreach (var m in means)
        {
            var response = await _client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(m) });
            // The reused array holds this call's values, not the last call's.
            Inputs.AssertProbabilities(Model.Expected(m), response.Probabilities);
        }
        Assert.Equal(1, pool.Available);

        // A refused tensor (a value out of range) leaves the service answering the next one.
        var bad = Inputs.Tensor(0f, 0f, 0f);
        var values = bad.ToFloats();
        values[7] = float.NaN;
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _client.ScoreAsync(new ScoreRequest { Tensor = Tensor.FromFloats([3, 400, 300], values) }));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("tensor.data[7]: NaN is outside", error.Status.Detail);
        var next = await _client.ScoreAsync(new ScoreRequest { Tensor = Inputs.Tensor(-2f, 0f, 1f) });
        Inputs.AssertProbabilities(Model.Expected([-2f, 0f, 1f]), next.Probabilities);
    }

    [Fact]
    public void ThePoolKeepsAtMostItsCapacityOfEachLengthAndRentsAnArrayOnlyForItsOwnLength()
    {
        var pool = new WindowInputPool(capacity: 2);
        var rented = Enumerable.Range(0, 3).Select(_ => pool.Rent()).ToList();
        Assert.All(rented, input => Assert.Equal(EegWindow.Size, input.Length));
        rented.ForEach(pool.Return);
        Assert.Equal(2, pool.Available);
        var pooled = new Hbac.Eeg.Windows.InputPooling(1, 30).Size;
        var small = pool.Rent(pooled);
        Assert.Equal(pooled, small.Length);
        Assert.Equal(2, pool.Available);
        pool.Return(small);
        Assert.Equal(3, pool.Available);
        Assert.Same(small, pool.Rent(pooled));
        Assert.Contains(pool.Rent(), rented);
        Assert.Throws<ArgumentException>(() => pool.Return([]));
    }

    [Fact]
    public async Task CpuIsReadOnlyWhenAStageEndsOnTheThreadItBeganOn()
    {
        var profile = new StageProfile();
        var start = StageStart.Now();
        profile.Record(Onnx.ModelInputKind.Eeg, ServingStage.Window, 2, start);
        var moved = StageStart.Now();
        await Task.Run(() => profile.Record(Onnx.ModelInputKind.Eeg, ServingStage.Reply, 1, moved with { ThreadId = -1 }));
        profile.RecordWall(Onnx.ModelInputKind.Eeg, ServingStage.Model, 2, TimeSpan.FromMilliseconds(30));

        var (stages, _) = profile.Snapshot(reset: false);
        var window = stages.Single(s => s.Stage == ServingStage.Window);
        Assert.Equal((2, ThreadCpuClockAvailable ? 2 : 0), (window.Windows, window.CpuWindows));
        var reply = stages.Single(s => s.Stage == ServingStage.Reply);
        Assert.Equal((1, 0L), (reply.Windows, reply.CpuWindows));
        var model = stages.Single(s => s.Stage == ServingStage.Model);
        Assert.Equal(30, model.WallMs, precision: 6);
        Assert.Equal(0, model.CpuWindows);
    }

    private static bool ThreadCpuClockAvailable => OperatingSystem.IsLinux();

    private async Task<int> StreamAsync(int seconds)
    {
        using var call = _client.StreamEeg();
        foreach (var request in Inputs.Chunks(Inputs.Eeg(seconds), 200))
        {
            await call.RequestStream.WriteAsync(request);
        }
        await call.RequestStream.CompleteAsync();
        return (await call.ResponseStream.ReadAllAsync().ToListAsync()).Count;
    }
}
