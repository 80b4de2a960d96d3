using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Hbac.Cli.Services;
using Hbac.Contracts;
using Hbac.Contracts.Streaming;
using Hbac.Contracts.V1;
using Hbac.Eeg;
using Hbac.Eeg.Formats;
using Hbac.Eeg.Montage;

namespace Hbac.Cli.Commands;

/// <summary>
/// <c>hbac stream --server &lt;url&gt; &lt;eeg.parquet | rec.edf&gt; [--realtime]</c>: sends the recording to
/// Inference.StreamEeg in 1-s chunks (as fast as the server takes them, or paced at real time) and
/// prints one line per reply as it arrives: the 10 s the reply describes, how far they lie behind the
/// newest sample sent, the distribution and the model version.
/// </summary>
internal static class StreamCommand
{
    public static Command Create()
    {
        var server = new Option<string>("--server") { Description = "Inference service URL, e.g. http://localhost:5103", Required = true };
        var realtime = new Option<bool>("--realtime") { Description = "Send one second of signal per second of wall time" };
        var input = new Argument<string>("recording") { Description = "Kaggle EEG parquet, EDF or BDF recording" };
        var command = new Command("stream", "Stream an EEG recording to the inference service's EEG-window model and print the score of each 10-s segment, every 2 s of signal once 50 s are in");
        command.Options.Add(server);
        ServiceKey.AddOptions(command);
        command.Options.Add(realtime);
        command.Arguments.Add(input);
        command.SetAction((parseResult, ct) => CliGuard.RunAsync(() =>
        {
            var url = parseResult.GetValue(server)!;
            var path = parseResult.GetValue(input)!;
            if (!File.Exists(path))
            {
                throw new FileNotFoundException(null, path);
            }
            var channels = StreamChannels(RecordingFiles.Load(path), path);
            var paced = parseResult.GetValue(realtime);
            return InferenceServer.RunAsync(url, ServiceKey.Resolve(parseResult), (client, token) => StreamAsync(client, channels, paced, token), ct);
        }));
        return command;
    }

    /// <summary>The 20 streamed channels in <see cref="EegStream.ChannelNames"/> order; a missing EKG is sent as zeros.</summary>
    internal static float[][] StreamChannels(EegRecording recording, string path)
    {
        if (Math.Abs(recording.SampleRateHz - EegStream.SampleRateHz) > 1e-6)
        {
            throw EegDataException.InFile(path, $"sampled at {recording.SampleRateHz} Hz; the stream carries {EegStream.SampleRateHz} Hz");
        }
        if (recording.Length < 1)
        {
            throw EegDataException.InFile(path, "no samples");
        }
        return EegStream.ChannelNames.Select(name => recording.Channel(name)
            ?? (name == "EKG" ? new float[recording.Length] : throw EegDataException.InFile(path, $"no {name} channel"))).ToArray();
    }

    private static async Task<int> StreamAsync(Inference.InferenceClient client, float[][] channels, bool realtime, CancellationToken ct)
    {
        using var call = client.StreamEeg(cancellationToken: ct);
        var replies = Task.Run(async () =>
        {
            var count = 0;
            await foreach (var reply in call.ResponseStream.ReadAllAsync(ct))
            {
                Console.WriteLine(Describe(reply));
                count++;
            }
            return count;
        }, ct);
        var clock = Stopwatch.StartNew();
        var sent = 0;
        foreach (var chunk in EegChunks.Split(channels, EegStream.SampleRateHz, SampleLayout.Interleaved))
        {
            if (realtime)
            {
                var due = TimeSpan.FromSeconds(sent / (double)EegStream.SampleRateHz) - clock.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, ct);
                }
            }
            if (replies.IsCompleted)
            {
                break;
            }
            await call.RequestStream.WriteAsync(new StreamEegRequest { Chunk = chunk }, ct);
            sent += chunk.Samples.Count / EegStream.ChannelCount;
        }
        await call.RequestStream.CompleteAsync();
        var total = await replies;
        Console.Error.WriteLine($"{sent / (double)EegStream.SampleRateHz:0.#} s sent, {total} {(total == 1 ? "reply" : "replies")} in {clock.Elapsed.TotalSeconds:0.0} s" +
            (sent < EegStream.ScoredWindowSamples ? $" (a reply needs {EegStream.ScoredWindowSeconds} s of signal)" : ""));
        return 0;
    }

    internal static string Describe(StreamEegResponse reply) => string.Create(CultureInfo.InvariantCulture,
        $"segment {reply.SegmentStartSeconds,7:0.0}-{reply.SegmentEndSeconds:0.0} s  lag {reply.LagSeconds,5:0.0} s  {InferenceServer.Describe(reply.Probabilities)}  model={reply.ModelVersion}");
}
