using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Hbac.Cli.Services;
using Hbac.Client;
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
/// newest sample sent, the distribution and the model version. Goes through Hbac.Client: the stream has its
/// own connection and resumes on another replica when its replica dies (<c>--balance round-robin</c>
/// spreads over the addresses behind a dns:/// name instead).
/// </summary>
internal static class StreamCommand
{
    public static Command Create()
    {
        var server = new Option<string>("--server") { Description = "Inference service URL, e.g. http://localhost:5103", Required = true };
        var realtime = new Option<bool>("--realtime") { Description = "Send one second of signal per second of wall time" };
        var balance = new Option<string>("--balance")
        {
            Description = "connection (default: a connection of its own, which a per-connection proxy balances) or round-robin (gRPC's round_robin over every address of a dns:/// name, e.g. a Kubernetes headless Service)",
            DefaultValueFactory = _ => "connection",
        };
        balance.AcceptOnlyFromAmong("connection", "round-robin");
        var input = new Argument<string>("recording") { Description = "Kaggle EEG parquet, EDF or BDF recording" };
        var command = new Command("stream", "Stream an EEG recording to the inference service's EEG-window model and print the score of each 10-s segment, every 2 s of signal once 50 s are in");
        command.Options.Add(server);
        ServiceKey.AddOptions(command);
        command.Options.Add(realtime);
        command.Options.Add(balance);
        command.Arguments.Add(input);
        command.SetAction((parseResult, ct) => CliGuard.RunAsync(async () =>
        {
            var url = parseResult.GetValue(server)!;
            var path = parseResult.GetValue(input)!;
            if (!File.Exists(path))
            {
                throw new FileNotFoundException(null, path);
            }
            // Read a second at a time as it is sent (a day-long EDF is never held whole), in the stream's channel
            // order, with what the report reads: bipolar files, other rates, EDF+D gaps as missing samples.
            using var recording = ChunkedRecording.Open(path);
            var paced = parseResult.GetValue(realtime);
            var balancing = parseResult.GetValue(balance) == "round-robin" ? StreamBalancing.RoundRobin : StreamBalancing.Connection;
            return await InferenceServer.RunStreamsAsync(url, ServiceKey.Resolve(parseResult), balancing,
                (client, token) => StreamAsync(client, recording.Chunks(1).SelectMany(second => EegChunks.Split(second, EegStream.SampleRateHz, SampleLayout.Interleaved)), paced, token), ct);
        }));
        return command;
    }

    /// <summary>
    /// The 20 streamed channels in <see cref="EegStream.ChannelNames"/> order; a missing Fz, Cz, Pz or EKG, which
    /// no double-banana chain reads, is sent as zeros (the service then lists it as flat).
    /// </summary>
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
            ?? (!KaggleMontage.InChain(name) ? new float[recording.Length] : throw EegDataException.InFile(path, $"no {name} channel"))).ToArray();
    }

    private static async Task<int> StreamAsync(EegStreamClient client, IEnumerable<EegChunk> chunks, bool realtime, CancellationToken ct)
    {
        await using var stream = client.OpenStream(ct);
        stream.Resumed += resume =>
        {
            // Only a stream that was answering reports its resumes as they happen; the summary counts them all.
            if (resume.LastDeliveredWindowEndSeconds is { } last)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"resumed after {resume.Failure.StatusCode} (attempt {resume.Attempt}): {resume.ResentSeconds:0.#} s re-sent from {resume.FirstSampleIndex / (double)EegStream.SampleRateHz:0.#} s; last reply's window ended at {last:0.#} s"));
            }
        };
        var replies = Task.Run(async () =>
        {
            var count = 0;
            await foreach (var reply in stream.ReadAllAsync(ct))
            {
                Console.WriteLine(Describe(reply));
                count++;
            }
            return count;
        }, ct);
        var clock = Stopwatch.StartNew();
        var sent = 0;
        foreach (var chunk in chunks)
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
            await stream.SendAsync(chunk, ct);
            sent += chunk.Samples.Count / EegStream.ChannelCount;
        }
        if (!replies.IsCompleted)
        {
            await stream.CompleteAsync(ct);
        }
        var total = await replies;
        Console.Error.WriteLine($"{sent / (double)EegStream.SampleRateHz:0.#} s sent, {total} {(total == 1 ? "reply" : "replies")} in {clock.Elapsed.TotalSeconds:0.0} s" +
            (sent < EegStream.ScoredWindowSamples ? $" (a reply needs {EegStream.ScoredWindowSeconds} s of signal)" : "") +
            (stream.Resumes > 0 ? $"; {stream.Resumes} reconnects, {stream.RepliesLost} {(stream.RepliesLost == 1 ? "reply" : "replies")} lost" : ""));
        return 0;
    }

    /// <summary>
    /// One reply per line; a segment whose signal is not clean says so at the end (an "ok" one, or a service that
    /// does not say, adds nothing), and one not scored shows "-" for its class.
    /// </summary>
    internal static string Describe(StreamEegResponse reply) => string.Create(CultureInfo.InvariantCulture,
        $"segment {reply.SegmentStartSeconds,7:0.0}-{reply.SegmentEndSeconds:0.0} s  lag {reply.LagSeconds,5:0.0} s  {InferenceServer.Describe(reply.Probabilities, reply.TopClass)}  model={reply.ModelVersion}") +
        (reply.Quality is "" or "ok" ? "" : $"  quality={reply.Quality}" + (reply.BadElectrodes.Length > 0 ? $" ({reply.BadElectrodes})" : ""));
}
