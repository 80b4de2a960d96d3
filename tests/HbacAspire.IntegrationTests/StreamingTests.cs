using Hbac.Contracts;
using Hbac.Contracts.V1;
using HbacAspire.IntegrationTests.Support;

namespace HbacAspire.IntegrationTests;

/// <summary>Scoring through the running stack: raw EEG streamed to inference, and spectrogram windows across both services.</summary>
[Collection(StackCollection.Name)]
public sealed class StreamingTests(StackFixture stack)
{
    [Fact]
    public async Task SyntheticEegGetsAValidDistributionEveryTwoSecondsOnceFiftySecondsArrived()
    {
        await AssertStreamsAsync(SyntheticData.Looped(stack.Data.TestEeg(), 61), "synthetic EEG");
    }

    [SharedDataFact]
    public async Task TheRealKaggleTestEegGetsAValidDistributionEveryTwoSeconds()
    {
        var recording = Hbac.Eeg.Formats.RecordingFiles.Load(SharedData.File("hms/test_eegs/3911565283.parquet"));
        await AssertStreamsAsync(SyntheticData.StreamChannels(recording), "3911565283.parquet");
    }

    [Fact]
    public async Task AWindowScoredByIdInInferenceIsTheWindowPreprocessingCutsFromTheSameFile()
    {
        // The first version is peak-pooled, so different windows get different answers; pinned by hand for this test.
        var activated = await stack.Inference.ActivateModelAsync(new ActivateModelRequest { Version = ModelFolder.FirstVersion });
        Assert.True(activated.Active && activated.Valid, $"ActivateModel: {activated}");

        var path = stack.Data.SpectrogramPath();
        var first = await stack.Preprocessing.ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Path = path });
        var second = await stack.Preprocessing.ConvertSpectrogramAsync(new ConvertSpectrogramRequest { Path = path });
        Assert.Equal(first.SpectrogramId, second.SpectrogramId);
        Assert.True(second.CacheHit, "the second conversion of the same file did not come from the Redis cache");
        var later = Math.Floor(first.DurationSeconds / 4); // a second window inside the recording

        var answers = new List<ScoreResponse>();
        foreach (var offset in new[] { 0, later })
        {
            var window = await stack.Preprocessing.GetWindowAsync(new GetWindowRequest { SpectrogramId = stack.Data.SpectrogramId(), OffsetSeconds = offset });
            Assert.Equal(new long[] { ModelInput.Channels, ModelInput.FrequencyRows, ModelInput.TimeColumns }, window.Input.Shape);
            var byTensor = await stack.Inference.ScoreAsync(new ScoreRequest { Tensor = window.Input });
            var byId = await stack.Inference.ScoreAsync(new ScoreRequest
            {
                Window = new SpectrogramWindow { SpectrogramId = stack.Data.SpectrogramId(), OffsetSeconds = offset },
            });
            Distributions.AssertValid(byId.Probabilities, byId.TopClass, $"Score by id at {offset} s");
            Assert.Equal(ModelFolder.FirstVersion, byId.ModelVersion);
            Assert.Equal(byTensor.ModelVersion, byId.ModelVersion);
            Assert.Equal(Values(byTensor.Probabilities), Values(byId.Probabilities), (a, b) => Math.Abs(a - b) <= 1e-5f);
            answers.Add(byId);
        }
        // The model does look at the window: the two offsets score differently (so the equality above means something).
        Assert.NotEqual(Values(answers[0].Probabilities), Values(answers[1].Probabilities));
    }

    private static float[] Values(ClassProbabilities p) => [p.Seizure, p.Lpd, p.Gpd, p.Lrda, p.Grda, p.Other];

    private async Task AssertStreamsAsync(float[][] channels, string what)
    {
        var active = (await stack.Inference.ListModelsAsync(new ListModelsRequest())).ActiveEegVersion;
        Assert.False(string.IsNullOrEmpty(active), "no active EEG-window model");
        await using var session = new EegStreamSession(stack.Inference, channels);
        await session.SendAsync(EegStream.ScoredWindowSeconds - 1);
        Assert.Empty(session.Replies); // nothing before the first full 50-s window
        await session.SendAsync(session.SecondsAvailable - session.SecondsSent);
        await session.CompleteAsync();

        var seconds = session.SecondsSent;
        var expected = Enumerable.Range(0, (seconds - EegStream.ScoredWindowSeconds) / EegStream.ReplyEverySeconds + 1)
            .Select(i => (double)(EegStream.ScoredWindowSeconds + EegStream.ReplyEverySeconds * i)).ToList();
        Assert.Equal(expected, session.Replies.Select(r => r.WindowEndSeconds).ToList());
        foreach (var reply in session.Replies)
        {
            Distributions.AssertValid(reply.Probabilities, reply.TopClass, $"{what}, window ending at {reply.WindowEndSeconds} s");
            Assert.Equal(EegStream.ScoredWindowSeconds, reply.WindowSeconds);
            Assert.Equal((reply.WindowEndSeconds - 30, reply.WindowEndSeconds - 20), (reply.SegmentStartSeconds, reply.SegmentEndSeconds));
            // Sent in 1-s chunks, each window formed by the chunk that completes it.
            Assert.Equal(20.0, reply.LagSeconds);
            Assert.Equal(active, reply.ModelVersion);
        }
    }
}
