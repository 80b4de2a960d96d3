using Aspire.Hosting.ApplicationModel;
using Hbac.Contracts.V1;
using HbacAspire.IntegrationTests.Support;

namespace HbacAspire.IntegrationTests;

/// <summary>
/// The README's main job through the app model: with no data, the default-job resource generates
/// the synthetic dataset, prepares it with the preprocessing service, trains the quick profile with
/// the training service, and finishes once inference serves that model; streamed EEG is then scored
/// by it. (A smaller dataset than the default keeps the training to a couple of minutes.)
/// </summary>
[Collection(Name)]
public sealed class DefaultJobTests
{
    public const string Name = "default job (own app, trains a model)";

    [Fact]
    public async Task TheJobResourceGeneratesPreparesTrainsAndFinishesWhenInferenceServesTheModel()
    {
        var home = Directory.CreateTempSubdirectory("hbac-it-job-").FullName;
        await using var stack = await AspireStack.StartWithAsync(home, ["--job", "auto", "--synthetic-patients", "12"]);

        await Wait.UntilAsync(() => stack.State("default-job") == KnownResourceStates.Running, "the job to run", 180, stack.Diagnostics);
        // One run at a time: asking again while it runs is refused with a reason.
        var again = await stack.CommandAsync("default-job", "run-again");
        Assert.False(again.Success, "a second run was started while the first one runs");
        Assert.Contains("already running", again.Message);

        await Wait.UntilAsync(() => stack.State("default-job") is "Finished" or "Failed", "the job to finish", 900, stack.Diagnostics);
        Assert.True(stack.State("default-job") == "Finished", $"the job ended {stack.State("default-job")}: {stack.Property("default-job", "hbac.job.result")}\n{stack.Diagnostics()}");
        var log = stack.Log("default-job");
        foreach (var step in new[] { "generated ", "prepared: ", "training on cpu", "epoch 1/", "published model " })
        {
            Assert.Contains(log, line => line.Contains(step, StringComparison.Ordinal));
        }

        var inference = new Inference.InferenceClient(stack.Channel("inference"));
        var models = await inference.ListModelsAsync(new ListModelsRequest());
        var served = Assert.Single(models.Models);
        Assert.True(served.Valid && served.Active, served.ToString());
        Assert.False(string.IsNullOrEmpty(served.TrainingRunId), "the served model does not name its training run");
        Assert.Equal($"inference serves model {served.Version}", stack.Property("default-job", "hbac.job.result"));
        Assert.True(File.Exists(Path.Combine(home, "models", served.Version, "model.onnx")));

        // A test EEG of the generated data: a reply per 2 s once 10 s are in, all from the trained model, not all alike.
        var data = Path.Combine(home, "data", "synthetic");
        var eeg = Directory.GetFiles(Path.Combine(data, "test_eegs"), "*.parquet").Order(StringComparer.Ordinal).First();
        await using var session = new EegStreamSession(inference, SyntheticData.StreamChannels(Hbac.Eeg.Formats.RecordingFiles.Load(eeg)));
        await session.SendAsync(session.SecondsAvailable);
        await session.CompleteAsync();
        Assert.NotEmpty(session.Replies);
        Assert.All(session.Replies, reply =>
        {
            Assert.Equal(served.Version, reply.ModelVersion);
            Distributions.AssertValid(reply.Probabilities, reply.TopClass, $"reply at {reply.WindowEndSeconds} s");
        });
        Assert.True(session.Replies.Select(r => r.Probabilities.Other).Distinct().Count() > 1, "every window got the same probabilities");
    }
}
