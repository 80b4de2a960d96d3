using Hbac.Contracts;
using Hbac.Contracts.Streaming;
using Hbac.Contracts.V1;
using Hbac.Inference.Tests.Support;

namespace Hbac.Client.Tests.Support;

internal static class Signals
{
    /// <summary>1-s chunks of <paramref name="seconds"/> of pseudo-EEG.</summary>
    public static EegChunk[] Chunks(int seconds) =>
        EegChunks.Split(Inputs.Eeg(seconds), EegStream.SampleRateHz, SampleLayout.Interleaved).ToArray();

    public static EegStreamClientOptions Options(Uri address) => new()
    {
        Address = address,
        ApiKey = TestApiKey.Value,
        ConnectTimeout = TimeSpan.FromSeconds(2),
        ReplyTimeout = TimeSpan.FromSeconds(3),
        ResumeDeadline = TimeSpan.FromSeconds(20),
        MaxResumes = 20,
    };
}
