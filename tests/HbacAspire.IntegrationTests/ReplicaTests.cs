using Grpc.Core;
using Hbac.Contracts;
using Hbac.Contracts.Streaming;
using Hbac.Contracts.V1;
using HbacAspire.IntegrationTests.Support;

namespace HbacAspire.IntegrationTests;

/// <summary>
/// <c>--inference-replicas 3</c>: three inference processes behind DCP's proxy on one address. Streams on
/// their own connections spread over them; a published or activated model reaches each one, asked at
/// its own address behind the proxy.
/// </summary>
[Collection(StackLifecycleTests.Name)]
public sealed class ReplicaTests
{
    private const int Replicas = 3;

    [Fact]
    public async Task StreamsSpreadOverThreeReplicasAndEveryReplicaServesWhatIsPublishedOrActivated()
    {
        var home = Directory.CreateTempSubdirectory("hbac-it-replicas-").FullName;
        var models = Path.Combine(home, "models");
        Directory.CreateDirectory(models);
        ModelFolder.PublishFirst(models, peakPooled: true);
        var data = SyntheticData.Generate(Path.Combine(home, "kaggle"));
        await using var apphost = await AspireStack.StartAsync(home, data.Folder, "--inference-replicas", $"{Replicas}");
        await apphost.WaitUntilHealthyAsync();
        await apphost.WaitForReadyAsync();
        var replicas = await RunningReplicasAsync(apphost);

        // 30 streams, each on its own channel (its own TCP connection: the proxy balances per connection).
        var signal = SyntheticData.Repeat(data.TestEeg(), 2);
        var streams = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => StreamAsync(apphost, signal, seconds: 56)));
        foreach (var replies in streams)
        {
            // 50, 52, 54, 56: every reply, in order.
            Assert.Equal([50.0, 52, 54, 56], replies.Select(r => r.WindowEndSeconds));
        }
        var windowsPerReplica = new List<long>();
        foreach (var id in replicas)
        {
            using var channel = Hbac.Contracts.Security.ApiKeyChannel.ForAddress(apphost.ReplicaEndpoint(id), apphost.ApiKey);
            var profile = await new Inference.InferenceClient(channel).GetServingProfileAsync(new GetServingProfileRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            windowsPerReplica.Add(profile.Stages.Where(s => s.InputKind == ModelInputKind.Eeg && s.Stage == "model").Sum(s => s.Windows));
        }
        Assert.Equal(30 * 4, windowsPerReplica.Sum());
        Assert.True(windowsPerReplica.Count(w => w > 0) >= 2, $"30 streams reached one replica only: windows per replica {string.Join(", ", windowsPerReplica)}");

        // Published: a newer EEG model, announced as the trainer does, reaches every replica.
        var published = ModelFolder.NewVersion("replicas");
        ModelFolder.PublishValid(models, published, favouredClass: 5, eeg: true);
        await ModelFolder.AnnounceAsync(new Uri(apphost.Endpoint("redis")).Port, published);
        await EveryReplicaServesAsync(apphost, replicas, published);

        // Activated through the one address (so on one replica): the older model, on every replica.
        await new Inference.InferenceClient(apphost.Channel("inference")).ActivateModelAsync(
            new ActivateModelRequest { Version = ModelFolder.FirstEegVersion }, deadline: DateTime.UtcNow.AddSeconds(30));
        await EveryReplicaServesAsync(apphost, replicas, ModelFolder.FirstEegVersion);
    }

    /// <summary>The replicas' resource ids once all of them run and have their own address.</summary>
    private static async Task<IReadOnlyList<string>> RunningReplicasAsync(AspireStack apphost)
    {
        IReadOnlyList<string> running = [];
        await Wait.UntilAsync(() =>
        {
            running = apphost.Replicas("inference")
                .Where(r => r.Snapshot.State?.Text == "Running" && r.Snapshot.EnvironmentVariables.Any(v => v.Name == "ASPNETCORE_URLS"))
                .Select(r => r.Id).ToList();
            return Task.FromResult(running.Count == Replicas);
        }, $"{Replicas} inference replicas running", 120, apphost.Diagnostics);
        return running;
    }

    private static async Task EveryReplicaServesAsync(AspireStack apphost, IReadOnlyList<string> replicas, string eegVersion)
    {
        foreach (var id in replicas)
        {
            using var channel = Hbac.Contracts.Security.ApiKeyChannel.ForAddress(apphost.ReplicaEndpoint(id), apphost.ApiKey);
            var client = new Inference.InferenceClient(channel);
            var seen = "";
            await Wait.UntilAsync(async () =>
            {
                try
                {
                    seen = (await client.ListModelsAsync(new ListModelsRequest(), deadline: DateTime.UtcNow.AddSeconds(10))).ActiveEegVersion;
                }
                catch (RpcException e)
                {
                    seen = $"nothing ({e.StatusCode})";
                }
                return seen == eegVersion;
            }, $"replica {id} to serve {eegVersion}", 30, () => $"it serves {seen}\n{apphost.Diagnostics()}");
        }
    }

    private static async Task<List<StreamEegResponse>> StreamAsync(AspireStack apphost, float[][] signal, int seconds)
    {
        using var channel = apphost.NewChannel("inference");
        using var call = new Inference.InferenceClient(channel).StreamEeg(deadline: DateTime.UtcNow.AddSeconds(120));
        foreach (var chunk in EegChunks.Split(signal, EegStream.SampleRateHz, SampleLayout.Interleaved).Take(seconds))
        {
            await call.RequestStream.WriteAsync(new StreamEegRequest { Chunk = chunk });
        }
        await call.RequestStream.CompleteAsync();
        var replies = new List<StreamEegResponse>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync())
        {
            replies.Add(reply);
        }
        return replies;
    }
}
