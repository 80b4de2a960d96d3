using Aspire.Hosting.ApplicationModel;
using Hbac.Contracts.V1;
using HbacAspire.IntegrationTests.Support;

namespace HbacAspire.IntegrationTests;

/// <summary>
/// The README's main job through the app model: with no data, the default-job resource generates
/// the synthetic dataset, prepares it with the preprocessing service, trains the quick spectrogram
/// model and the quick EEG model side by side with the training service, and finishes once inference serves
/// both; streamed EEG is then scored by the EEG model. (A smaller dataset than the default keeps the
/// training to a few minutes.)
/// </summary>
[Collection(Name)]
public sealed class DefaultJobTests
{
    public const string Name = "default job (own app, trains a model)";

    [Fact]
    public async Task TheJobResourceGeneratesPreparesTrainsBothKindsAndFinishesWhenInferenceServesBoth()
    {
        var home = Directory.CreateTempSubdirectory("hbac-it-job-").FullName;
        await using var stack = await AspireStack.StartWithAsync(home, ["--job", "auto", "--synthetic-patients", "12"]);

        await Wait.UntilAsync(() => stack.State("default-job") is { } state && (state == KnownResourceStates.Running || state.StartsWith("Training ", StringComparison.Ordinal)),
            "the job to run", 180, stack.Diagnostics);
        // One run at a time: asking again while it runs is refused with a reason.
        var again = await stack.CommandAsync("default-job", "run-again");
        Assert.False(again.Success, "a second run was started while the first one runs");
        Assert.Contains("already running", again.Message);

        await Wait.UntilAsync(() => stack.State("default-job") is "Finished" or "Failed", "the job to finish", 900, stack.Diagnostics);
        Assert.True(stack.State("default-job") == "Finished", $"the job ended {stack.State("default-job")}: {stack.Property("default-job", "hbac.job.result")}\n{stack.Diagnostics()}");
        var log = stack.Log("default-job");
        foreach (var step in new[]
                 {
                     "generated ", "prepared: ", "spectrogram training on cpu", "spectrogram epoch 1/", "published spectrogram model ",
                     "EEG training on cpu", "EEG epoch 1/", "published EEG model ",
                 })
        {
            Assert.Contains(log, line => line.Contains(step, StringComparison.Ordinal));
        }

        var inference = new Inference.InferenceClient(stack.Channel("inference"));
        var models = await inference.ListModelsAsync(new ListModelsRequest());
        // A model.onnx of each kind, and a model.int8.onnx beside it where its drift gate passed, which then serves.
        Assert.Equal(2, models.Models.Count(m => m.Precision == "fp32"));
        var spectrogram = Assert.Single(models.Models, m => m.InputKind == ModelInputKind.Spectrogram && m.Active);
        var eegModel = Assert.Single(models.Models, m => m.InputKind == ModelInputKind.Eeg && m.Active);
        foreach (var served in new[] { spectrogram, eegModel })
        {
            Assert.True(served.Valid, served.ToString());
            Assert.False(string.IsNullOrEmpty(served.TrainingRunId), "the served model does not name its training run");
            var hasInt8 = models.Models.Any(m => m.Version == served.Version && m.Precision == "int8");
            Assert.Equal(hasInt8 ? "int8" : "fp32", served.Precision);
            Assert.True(File.Exists(Path.Combine(home, "models", served.Version, hasInt8 ? "model.int8.onnx" : "model.onnx")));
        }
        Assert.All(models.Models.Where(m => m.Precision == "int8"), m => Assert.True(m.Valid, m.ToString()));
        static string Int8(ModelInfo m) => m.Precision == "int8" ? " (int8)" : "";
        Assert.Equal(spectrogram.Version, models.ActiveVersion);
        Assert.Equal(eegModel.Version, models.ActiveEegVersion);
        Assert.EndsWith("-eeg", eegModel.Version);
        Assert.Equal($"inference serves spectrogram model {spectrogram.Version}{Int8(spectrogram)} and EEG model {eegModel.Version}{Int8(eegModel)}",
            stack.Property("default-job", "hbac.job.result"));

        // A train EEG of the generated data (longer than one 50-s window): a reply per 2 s once a window is in,
        // all from the trained EEG model, not all alike.
        var data = Path.Combine(home, "data", "synthetic");
        var eeg = Directory.GetFiles(Path.Combine(data, "train_eegs"), "*.parquet").Order(StringComparer.Ordinal).First();
        await using var session = new EegStreamSession(inference, SyntheticData.StreamChannels(Hbac.Eeg.Formats.RecordingFiles.Load(eeg)));
        await session.SendAsync(Math.Min(session.SecondsAvailable, 80));
        await session.CompleteAsync();
        Assert.True(session.Replies.Count > 1, $"{session.Replies.Count} replies to {session.SecondsSent} s of signal");
        Assert.All(session.Replies, reply =>
        {
            Assert.Equal(eegModel.Version, reply.ModelVersion);
            Distributions.AssertValid(reply.Probabilities, reply.TopClass, $"reply at {reply.WindowEndSeconds} s");
        });
        Assert.True(session.Replies.Select(r => r.Probabilities.Other).Distinct().Count() > 1, "every window got the same probabilities");
    }
}
