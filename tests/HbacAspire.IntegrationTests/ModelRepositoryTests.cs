using Grpc.Core;
using Hbac.Contracts;
using Hbac.Contracts.V1;
using HbacAspire.IntegrationTests.Support;

namespace HbacAspire.IntegrationTests;

/// <summary>
/// Versions written into the running stack's model repository the way the trainer writes them
/// (temp folder + rename, then a Redis announcement), while a client streams.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ModelRepositoryTests(StackFixture stack)
{
    [Fact]
    public async Task ANewVersionPublishedMidStreamIsPickedUpWithoutBreakingTheStreamOrLosingAReply()
    {
        var before = (await stack.Inference.ListModelsAsync(new ListModelsRequest())).ActiveEegVersion;
        await using var session = new EegStreamSession(stack.Inference, SyntheticData.Repeat(stack.Data.TestEeg(), 3));
        await session.SendAsync(60);
        Assert.All(session.Replies, r => Assert.Equal(before, r.ModelVersion));

        // The new EEG-window model favours "Other" (class 6): its answers differ from the previous ones, not only its name.
        var version = ModelFolder.NewVersion("swap");
        ModelFolder.PublishValid(stack.AppHost.ModelRepository, version, favouredClass: 5, eeg: true);
        var subscribers = await ModelFolder.AnnounceAsync(new Uri(stack.AppHost.Endpoint("redis")).Port, version);
        Assert.True(subscribers >= 1, "no service subscribed to hbac:models:published");

        // Keep streaming (10x real time) while the service loads and swaps the version in.
        var activeAfter = -1;
        while (activeAfter < 0 && session.SecondsAvailable - session.SecondsSent >= 2)
        {
            await session.SendAsync(2);
            if ((await stack.Inference.ListModelsAsync(new ListModelsRequest())).ActiveEegVersion == version)
            {
                activeAfter = session.SecondsSent;
            }
            await Task.Delay(200);
        }
        Assert.True(activeAfter > 0, $"{version} was not served after {session.SecondsSent} s of signal\n{stack.AppHost.Diagnostics()}");
        await session.SendAsync(session.SecondsAvailable - session.SecondsSent);
        await session.CompleteAsync();

        var ends = session.Replies.Select(r => r.WindowEndSeconds).ToList();
        Assert.Equal(Enumerable.Range(0, 51).Select(i => 50.0 + 2 * i).ToList(), ends); // 50, 52, ..., 150: none lost
        var versions = session.Replies.Select(r => r.ModelVersion).ToList();
        var firstNew = versions.IndexOf(version);
        Assert.True(firstNew > 0 && versions.Take(firstNew).All(v => v == before) && versions.Skip(firstNew).All(v => v == version),
            $"expected {before} then {version} from one reply on: {string.Join(", ", session.Replies.Select(r => $"{r.WindowEndSeconds}={r.ModelVersion}"))}");
        Assert.True(session.Replies[firstNew].WindowEndSeconds > 60, "a reply before the publication carries the new version");
        Assert.True(session.Replies[firstNew].WindowEndSeconds <= activeAfter + 2,
            $"ListModels served {version} after {activeAfter} s of signal, the stream only from {session.Replies[firstNew].WindowEndSeconds} s");
        Assert.All(session.Replies.Skip(firstNew), r => Assert.Equal(EegClass.Other, r.TopClass));
        Assert.All(session.Replies, r => Distributions.AssertValid(r.Probabilities, r.TopClass, $"window ending at {r.WindowEndSeconds} s"));

        var models = await stack.Inference.ListModelsAsync(new ListModelsRequest());
        Assert.Equal(version, models.Models[0].Version); // newest first
        Assert.True(models.Models[0].Active && models.Models[0].Valid);
        Assert.Contains(models.Models, m => m.Version == before && !m.Active && m.Valid);
    }

    [Fact]
    public async Task ACorruptOrIncompatibleVersionIsRefusedAndTheActiveOneKeepsServingAnOpenStream()
    {
        var listed = await stack.Inference.ListModelsAsync(new ListModelsRequest());
        var (active, activeEeg) = (listed.ActiveVersion, listed.ActiveEegVersion);
        await using var session = new EegStreamSession(stack.Inference, SyntheticData.Looped(stack.Data.TestEeg(), 90));
        await session.SendAsync(54);

        var garbage = ModelFolder.NewVersion("garbage");
        ModelFolder.PublishGarbage(stack.AppHost.ModelRepository, garbage);
        var wrongShape = ModelFolder.NewVersion("wrong-shape");
        ModelFolder.PublishWrongInputShape(stack.AppHost.ModelRepository, wrongShape);
        var redisPort = new Uri(stack.AppHost.Endpoint("redis")).Port;
        await ModelFolder.AnnounceAsync(redisPort, garbage);
        await ModelFolder.AnnounceAsync(redisPort, wrongShape);

        ListModelsResponse models = new();
        await Wait.UntilAsync(async () =>
        {
            models = await stack.Inference.ListModelsAsync(new ListModelsRequest());
            return models.Models.Any(m => m.Version == garbage) && models.Models.Any(m => m.Version == wrongShape);
        }, "both new versions to be listed", 30, stack.AppHost.Diagnostics);
        foreach (var refused in new[] { garbage, wrongShape })
        {
            var info = models.Models.Single(m => m.Version == refused);
            Assert.False(info.Valid, $"{refused} is listed as valid");
            Assert.False(info.Active, $"{refused} is active");
            Assert.False(string.IsNullOrWhiteSpace(info.InvalidReason), $"{refused} is refused without a reason");
            Assert.Empty(info.InputShape);
        }
        Assert.Equal(active, models.ActiveVersion);
        Assert.Contains(models.Models, m => m.Version == active && m.Active);

        // Asking for it by hand is refused too, and changes nothing.
        var activate = await Assert.ThrowsAsync<RpcException>(() => stack.Inference.ActivateModelAsync(new ActivateModelRequest { Version = wrongShape }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, activate.StatusCode);
        Assert.Contains(wrongShape, activate.Status.Detail);

        await session.SendAsync(session.SecondsAvailable - session.SecondsSent);
        await session.CompleteAsync();
        Assert.Equal(Enumerable.Range(0, 21).Select(i => 50.0 + 2 * i).ToList(), session.Replies.Select(r => r.WindowEndSeconds).ToList());
        Assert.All(session.Replies, r => Assert.Equal(activeEeg, r.ModelVersion));
        var after = await stack.Inference.ListModelsAsync(new ListModelsRequest());
        Assert.Equal((active, activeEeg), (after.ActiveVersion, after.ActiveEegVersion));
        Assert.Equal(EegStream.ScoredWindowSeconds, session.Replies[0].WindowSeconds);
    }

    /// <summary>The inference resource's "Activate the newest model" command (a dashboard button) serves the newest valid version again.</summary>
    [Fact]
    public async Task TheActivateNewestCommandServesTheNewestValidVersionAgain()
    {
        var newest = ModelFolder.NewVersion("newest");
        ModelFolder.PublishValid(stack.AppHost.ModelRepository, newest, favouredClass: 2);
        await Wait.UntilAsync(async () => (await stack.Inference.ListModelsAsync(new ListModelsRequest())).ActiveVersion == newest,
            $"inference to serve {newest}", 60, stack.AppHost.Diagnostics);
        // A person pins an older version, then asks for the newest back.
        Assert.True((await stack.Inference.ActivateModelAsync(new ActivateModelRequest { Version = ModelFolder.FirstVersion })).Active);
        Assert.Equal(ModelFolder.FirstVersion, (await stack.Inference.ListModelsAsync(new ListModelsRequest())).ActiveVersion);

        var result = await stack.AppHost.CommandAsync("inference", "activate-newest");

        Assert.True(result.Success, result.Message);
        Assert.Equal(newest, (await stack.Inference.ListModelsAsync(new ListModelsRequest())).ActiveVersion);
    }
}
