extern alias cli;

using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using cli::Hbac.Cli;
using Hbac.Contracts.Security;
using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Spectrograms;
using Hbac.Eeg.Synthetic;
using Hbac.Inference.Tests.Support;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using EegWindows = Hbac.Eeg.Windows.SpectrogramWindow;

namespace Hbac.Inference.Tests;

[CollectionDefinition(nameof(ConsoleCapture), DisableParallelization = true)]
public sealed class ConsoleCapture;

/// <summary><c>hbac models | score | stream</c> against the service on a real loopback port.</summary>
[Collection(nameof(ConsoleCapture))]
public sealed class CliCommandTests : IDisposable
{
    private static readonly TinyOnnxModel Model = TinyOnnxModel.Favouring(0);
    private readonly InferenceFactory _factory;
    private readonly string _url;

    public CliCommandTests()
    {
        _factory = new InferenceFactory(repository =>
            {
                Model.Publish(repository, "v1");
                TinyOnnxModel.EegFavouring(2).Publish(repository, "e1", validationLoss: 0.25);
            },
            new Dictionary<string, string> { ["Logging:LogLevel:Default"] = "None" });
        _factory.UseKestrel(0);
        _factory.StartServer();
        _url = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1");
    }

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task ModelsPrintsEachVersionWithItsState()
    {
        var (exit, output, error) = await RunAsync("models", "--server", _url);

        Assert.Equal(0, exit);
        Assert.Contains("2 versions; spectrogram model (Score): v1; EEG-window model (StreamEeg): e1", error);
        Assert.Equal(["v1  active  spectrogram  mobilenetv3  fp32  CPU  val_loss=0.5000  created=2026-11-23 22:00",
            "e1  active  eeg  mobilenetv3  fp32  CPU  val_loss=0.2500  created=2026-11-23 22:00"], Lines(output));
    }

    [Fact]
    public async Task ScoreRefusesAnNpyThatIsNotASpectrogramOrTooShortNamingTheFile()
    {
        var image = Path.Combine(_factory.Home, "image.npy");
        Hbac.Eeg.Formats.Npy.NpyWriter.Write(image, new float[3 * 400 * 300], [3, 400, 300]);
        var shortOne = Path.Combine(_factory.Home, "short.npy");
        Hbac.Eeg.Formats.Npy.NpyWriter.Write(shortOne, Enumerable.Repeat(1f, 400 * 20).ToArray(), [400, 20]);

        var (exit, output, error) = await RunAsync("score", "--server", _url, "--spectrogram", image);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Equal($"hbac: {image}: shape (3, 400, 300) is not a spectrogram, expected (400, T)", error.Trim());

        (exit, _, error) = await RunAsync("score", "--server", _url, "--spectrogram", shortOne, "--offset", "40");
        Assert.Equal(2, exit);
        Assert.Equal($"hbac: {shortOne}: --offset 40 s is past the spectrogram's end (40 s)", error.Trim());
    }

    [Fact]
    public async Task ScoreRefusesAnAllNaNSpectrogramAsPredictDoes()
    {
        // Decoded, NaN becomes a flat window, and the service would answer with probabilities that look real.
        var path = Path.Combine(_factory.Home, "empty.parquet");
        SpectrogramParquetWriter.Write(path, new Spectrogram(Enumerable.Repeat(float.NaN, 400 * 300).ToArray(),
            Enumerable.Range(0, 300).Select(c => 1f + 2 * c).ToArray()));

        var (exit, output, error) = await RunAsync("score", "--server", _url, "--spectrogram", path);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Equal($"hbac: {path}: every one of the 120000 values is NaN: nothing to score", error.Trim());
    }

    [Fact]
    public async Task ScoreUploadsTheDecodedWindowAndPrintsTheDistribution()
    {
        var path = Path.Combine(_factory.Home, "42.parquet");
        var random = new Random(3);
        var values = Enumerable.Range(0, 400 * 310).Select(_ => (float)Math.Exp(random.NextDouble() * 5 - 1)).ToArray();
        var spectrogram = new Spectrogram(values, Enumerable.Range(0, 310).Select(c => 1f + 2 * c).ToArray());
        SpectrogramParquetWriter.Write(path, spectrogram);

        var (exit, output, _) = await RunAsync("score", "--server", _url, "--spectrogram", path, "--offset", "20");

        Assert.Equal(0, exit);
        var expected = Model.Expected(Inputs.ChannelMeans(EegWindows.Decode(spectrogram, 20)));
        var names = new[] { "seizure", "lpd", "gpd", "lrda", "grda", "other" };
        var line = Assert.Single(Lines(output));
        Assert.StartsWith("Seizure ", line);
        Assert.EndsWith("model=v1", line);
        for (var k = 0; k < 6; k++)
        {
            Assert.Contains($"{names[k]}={expected[k].ToString("0.000", CultureInfo.InvariantCulture)}", line);
        }
    }

    [Fact]
    public async Task StreamPrintsOneLinePerReply()
    {
        var path = Path.Combine(_factory.Home, "eeg.parquet");
        EegParquetWriter.Write(path, Inputs.Recording(Inputs.Eeg(54.5)));

        var (exit, output, _) = await RunAsync("stream", "--server", _url, path);

        Assert.Equal(0, exit);
        var lines = Lines(output);
        // Windows end at 50, 52 and 54 s; each reply names its centre 10 s and, sent in 1-s chunks, a lag of 20 s.
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("segment    20.0-30.0 s  lag  20.0 s  GPD     seizure=", lines[0]);
        Assert.StartsWith("segment    22.0-32.0 s  lag  20.0 s  GPD     seizure=", lines[1]);
        Assert.StartsWith("segment    24.0-34.0 s  lag  20.0 s  GPD     seizure=", lines[2]);
        Assert.All(lines, l => Assert.EndsWith("model=e1", l));
    }

    [Fact]
    public async Task StreamReadsAnEdfAtAnotherRateASecondAtATime()
    {
        // 55 s at 256 Hz, as most clinical systems record: resampled to the stream's 200 Hz as it is sent.
        var path = Path.Combine(_factory.Home, "clinical.edf");
        var random = new Random(8);
        var labels = Hbac.Eeg.Montage.KaggleMontage.Columns.Select(c => c == "EKG" ? "ECG" : $"EEG {c}-REF").ToList();
        using (var writer = new Hbac.Eeg.Formats.Edf.EdfPlusWriter(path, labels, 256, -3276.7, 3276.7, 55, [], DateTime.UnixEpoch))
        {
            writer.Write([.. labels.Select(_ => Enumerable.Range(0, 55 * 256).Select(_ => (float)(random.NextDouble() * 60 - 30)).ToArray())]);
        }

        var (exit, output, error) = await RunAsync("stream", "--server", _url, path);

        Assert.True(exit == 0, error);
        var lines = Lines(output);
        // Windows end at 50, 52 and 54 s of the 55 s.
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("segment    20.0-30.0 s  lag  20.0 s  ", lines[0]);
        Assert.StartsWith("segment    24.0-34.0 s  lag  20.0 s  ", lines[2]);
        Assert.Contains("55 s sent, 3 replies", error);
    }

    [Fact]
    public async Task StreamShowsASegmentWithoutUsableSignalAsNotScoredWithNoClass()
    {
        var path = Path.Combine(_factory.Home, "paused.parquet");
        var channels = Inputs.Eeg(54.5);
        foreach (var channel in channels)
        {
            channel.AsSpan(28 * 200, 12 * 200).Fill(float.NaN);   // a pause from 28 s to 40 s
        }
        EegParquetWriter.Write(path, Inputs.Recording(channels));

        var (exit, output, _) = await RunAsync("stream", "--server", _url, path);

        Assert.Equal(0, exit);
        var lines = Lines(output);
        Assert.Equal(3, lines.Length);
        // 20-30 s misses 20 % of its samples and is scored; the others miss 40 % and more.
        Assert.StartsWith("segment    20.0-30.0 s  lag  20.0 s  GPD     seizure=", lines[0]);
        Assert.EndsWith("model=e1", lines[0]);
        Assert.StartsWith("segment    22.0-32.0 s  lag  20.0 s  -       seizure=", lines[1]);
        Assert.Matches(@"model=e1  quality=not_scored \(Fp1:nan;F3:nan;.*;O2:nan\)$", lines[1]);
        Assert.StartsWith("segment    24.0-34.0 s  lag  20.0 s  -       seizure=", lines[2]);
    }

    [Fact]
    public async Task StreamWithRoundRobinBalancingTakesADnsAddress()
    {
        var path = Path.Combine(_factory.Home, "eeg.parquet");
        EegParquetWriter.Write(path, Inputs.Recording(Inputs.Eeg(52.5)));
        var dns = "dns:///" + new Uri(_url).Authority;

        var (exit, output, _) = await RunAsync("stream", "--server", dns, "--balance", "round-robin", path);
        var (refusedExit, _, refused) = await RunAsync("stream", "--server", dns, path);

        Assert.Equal(0, exit);
        Assert.Equal(2, Lines(output).Length);
        Assert.Equal(2, refusedExit);
        Assert.Equal([$"hbac: --server: '{dns}' is not an http:// or https:// URL"], Lines(refused));
    }

    [Fact]
    public async Task BenchLoadAgainstAServerPrintsThroughputAndTheStreamTable()
    {
        var (exit, output, error) = await RunAsync("bench", "load", "--server", _url, "--streams", "1,2", "--burst", "49", "--seconds", "2", "--clients", "2",
            "--throughput-streams", "3", "--throughput-seconds", "1", "--warmup-seconds", "1");

        Assert.Equal(0, exit);
        Assert.Contains("| Score throughput, 2 callers, the server's own batching | ", output);
        // Three streams' windows scored: at most 400x real time each, so under 3 x 200 windows/s.
        var streamed = Regex.Match(output, @"\| EEG stream windows, 3 streams sending as fast as the service takes them, the server's own batching \| ([0-9.]+) windows/s ");
        Assert.True(streamed.Success, output);
        Assert.InRange(double.Parse(streamed.Groups[1].Value, CultureInfo.InvariantCulture), 1, 3 * 200 * 1.1);
        Assert.Contains("| model | spectrogram version v1 (MobilenetV3Large) served by http://127.0.0.1:", output);
        Assert.Contains("; EEG-window version e1 (MobilenetV3Large) served by http://127.0.0.1:", output);
        // 51 s of signal per stream: windows end at 50 s only, so no stream has a reply after its first (no split).
        Assert.Matches(@"\n\| 1 \| 1 \| 1 \| [0-9.]+ \| [0-9.]+ \| - \| 0 \| 0 \| - \| (pass|fail) \|", output);
        Assert.Matches(@"\n\| 2 \| 2 \| 2 \| [0-9.]+ \| [0-9.]+ \| - \| 0 \| 0 \| - \| (pass|fail) \|", output);
        Assert.Contains("| largest N real-time streams with p99 < 500 ms | ", output);
        // One progress line per level on stderr.
        Assert.Matches(@"level 1: 1 streams, 1/1 replies, p50 [0-9.]+ ms, p99 [0-9.]+ ms, 0 refused, 0 failed -> (pass|fail)", error);
        Assert.Matches(@"level 2: 2 streams, 2/2 replies, ", error);
        // No reply after the first: no steady state, so the stage table is the whole level's.
        Assert.Contains("| stage | windows | wall ms per window | CPU ms per window (its thread) |\n", output);
        Assert.DoesNotContain("in the steady state", output);
    }

    [Fact]
    public async Task BenchLoadWithReplicasSumsEachReplicasProfileAskedAtItsOwnAddress()
    {
        // A second service as the other replica; the streams reach the first (--server), as a proxy might send them all.
        using var other = new InferenceFactory(repository => TinyOnnxModel.EegFavouring(2).Publish(repository, "e1"),
            new Dictionary<string, string> { ["Logging:LogLevel:Default"] = "None" }, kestrel: true);
        var otherUrl = other.KestrelAddress().ToString().TrimEnd('/');

        var (exit, output, error) = await RunAsync("bench", "load", "--server", _url, "--replica", _url, "--replica", otherUrl,
            "--streams", "2", "--burst", "49", "--seconds", "7", "--clients", "2", "--throughput-streams", "3", "--throughput-seconds", "1", "--warmup-seconds", "1");

        Assert.True(exit == 0, error);
        // 56 s per stream: windows end at 50, 52, 54 and 56 s, 8 in all, every one on the first replica.
        Assert.Matches(@"\n\| 2 \| 8 \| 8 \| ", output);
        // The first replica's share: 2 streams, or a little more when windows of the throughput test still in its
        // queue finish after the level's reset (a loaded machine); the other replica's: none.
        var shares = Regex.Match(output, @"\n\| 2 \| 2 \| ([0-9]+) / 0 \| 0\.00 \|");
        Assert.True(shares.Success, output);
        Assert.InRange(int.Parse(shares.Groups[1].Value, CultureInfo.InvariantCulture), 2, 4);
        Assert.True(output.Contains("the 2-stream level; the 2 replicas' GetServingProfile, summed)", StringComparison.Ordinal), output);
        // The windows formed after every stream's first reply (the steady state) are in the stage table.
        var window = Regex.Match(output, @"\n\| window \| ([0-9]+) \| ");
        Assert.True(window.Success, output);
        Assert.InRange(int.Parse(window.Groups[1].Value, CultureInfo.InvariantCulture), 1, 6);
    }

    [Fact]
    public async Task BenchLoadStopsWithTheReasonWhenTheServiceEndsAThroughputStream()
    {
        // A service that allows 10x real time per stream ends the throughput streams (400x) with ResourceExhausted.
        using var strict = new InferenceFactory(repository =>
            {
                Model.Publish(repository, "v1");
                TinyOnnxModel.EegFavouring(2).Publish(repository, "e1");
            },
            new Dictionary<string, string> { ["Logging:LogLevel:Default"] = "None", ["Hbac:StreamMaxSamplesPerSecond"] = "2000" });
        strict.UseKestrel(0);
        strict.StartServer();
        var url = strict.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1");

        var (exit, output, error) = await RunAsync("bench", "load", "--server", url, "--streams", "1", "--clients", "1",
            "--throughput-streams", "2", "--throughput-seconds", "1", "--warmup-seconds", "1");

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.StartsWith("hbac: bench load: stream throughput: a stream failed (ResourceExhausted: chunk: stream rate over 2000 samples per second (10x real time))", error.Trim().Split('\n').Last());
    }

    [Fact]
    public async Task BenchLoadWithAShorterBurstPacesTheRestAndSaysSo()
    {
        // 40 s at once, then 16 s in real time: windows end at 50, 52, 54 and 56 s, so each stream has a first and later replies.
        var (exit, output, error) = await RunAsync("bench", "load", "--server", _url, "--streams", "2", "--burst", "40", "--seconds", "16", "--clients", "1", "--throughput-seconds", "1");

        Assert.True(exit == 0, error);
        Assert.Contains("Stream levels (16 s real time after a 40-s burst, starts spread over 2 s; ", output);
        Assert.Matches(@"\n\| 2 \| 8 \| 8 \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ / [0-9.]+ \| 0 \| 0 \| - \| (pass|fail) \|", output);
        Assert.Contains("level 1: 2 real-time streams for 56 s (40 s at once) ...", error);
        // Later replies came after both streams' first (the second stream starts 1 s after the first, its windows 2 s
        // apart): the stage table is that steady state's, the whole level beside it.
        Assert.Contains("in the steady state: from the moment every stream had its first reply to the level's end.", output);
        Assert.Matches(@"\n\| window \| [1-9][0-9]* \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \|", output);
    }

    [Theory]
    [InlineData("0", "20", "hbac: bench load: --burst 0 with --seconds 20 sends 20 s, short of the first 50-s window: no reply would come")]
    [InlineData("50", "20", "hbac: bench load: --burst 50: must be 0 to 49 (a burst of a whole window would leave its first reply no chunk to time)")]
    public async Task BenchLoadRefusesABurstThatLeavesNothingToTime(string burst, string seconds, string expected)
    {
        var (exit, output, error) = await RunAsync("bench", "load", "--server", _url, "--burst", burst, "--seconds", seconds);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Equal(expected, error.Trim());
    }

    [Fact]
    public async Task BenchLoadRefusesARecordingShorterThanAStreamNamingItAndItsLength()
    {
        var data = Path.Combine(Path.GetTempPath(), $"hbac-short-{Guid.NewGuid():N}");
        try
        {
            SyntheticDataset.Generate(new SyntheticOptions { OutputFolder = data, Patients = 2 });
            // A Kaggle test EEG is one 50-s window; a real-time level sends 69 s by default.
            var eeg = Directory.EnumerateFiles(Path.Combine(data, "test_eegs"), "*.parquet").First();

            var (exit, output, error) = await RunAsync("bench", "load", "--server", _url, "--recording", eeg, "--streams", "1");

            Assert.Equal(2, exit);
            Assert.Equal("", output);
            Assert.Equal($"hbac: bench load: --recording {eeg}: 50 s of signal, shorter than the 69 s each stream sends (--burst 0 + --seconds 69)", error.Trim());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task BenchStreamScoresEachLabelledSegmentAsTheSameModelDoesOffline()
    {
        // Peak-pooled models, so every window gets its own answer and a mismatched segment would show.
        using var factory = new InferenceFactory(repository =>
            {
                TinyOnnxModel.Favouring(0, pooling: "GlobalMaxPool").Publish(repository, "v1");
                // e1 is served with its int8 file (the default precision), which answers differently from its model.onnx.
                TinyOnnxModel.EegFavouring(4, pooling: "GlobalMaxPool").Publish(repository, "e1", int8: TinyOnnxModel.EegFavouring(1, pooling: "GlobalMaxPool").AsInt8());
            },
            new Dictionary<string, string> { ["Logging:LogLevel:Default"] = "None" });
        factory.UseKestrel(0);
        factory.StartServer();
        var url = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1");
        var data = Path.Combine(factory.Home, "synthetic");
        SyntheticDataset.Generate(new SyntheticOptions { OutputFolder = data, Patients = 6 });

        var (exit, output, error) = await RunAsync("bench", "stream", "--server", url, "--models", factory.Repository, "--data", data, "--fold", "0");

        Assert.True(exit == 0, error);
        var streamed = Kl(output, "| EEG-window model, streamed: the reply whose segment is the labelled 10 s | e1 | ");
        var offline = Kl(output, "| EEG-window model, offline: the same rows' 50-s windows | e1 (int8) | ");
        Assert.Equal(offline, streamed, 4);
        Assert.Contains("| streamed / offline KL of the EEG-window model: 1.0000 (within 5 %) |", output);
        // The same probabilities, so the same calibration; the prior has none to show.
        var streamedEce = Ece(output, "| EEG-window model, streamed: the reply whose segment is the labelled 10 s | e1 | ");
        Assert.Matches(@"^0\.\d{4} / 0\.\d{4}$", streamedEce);
        Assert.Equal(Ece(output, "| EEG-window model, offline: the same rows' 50-s windows | e1 (int8) | "), streamedEce);
        Assert.Equal("-", Ece(output, "| class prior: the training folds' mean votes for every row | - | "));
        Assert.True(Kl(output, "| spectrogram model, offline: the same rows' 600-s spectrogram windows | v1 (fp32) | ") > 0);
        Assert.True(Kl(output, "| class prior: the training folds' mean votes for every row | - | ") > 0);
        var best = Kl(output, "| best achievable: the true distributions the votes were drawn from (truth.csv) | - | ");
        Assert.True(best >= 0);
        // The reader sees only what the generator drew into the signal: above the truth it was drawn from.
        var reader = Kl(output, "| perfect reader: every pattern drawn into the signal read exactly (PerfectReader) | - | ");
        Assert.True(reader > best, $"perfect reader {reader}, best achievable {best}");
        Assert.Matches(@"EEG files streamed to http://127\.0\.0\.1:\d+ in [0-9.]+ s, \d+ replies; (\d+) of \1 validation rows have a reply whose segment is their labelled 10 s\.", output);
    }

    /// <summary>The Kaggle KL of the table row starting with <paramref name="prefix"/> (after its row count).</summary>
    private static double Kl(string table, string prefix) => double.Parse(Cells(table, prefix)[^3], CultureInfo.InvariantCulture);

    /// <summary>The row's last cell, its expected calibration errors ("classwise / top label", or "-").</summary>
    private static string Ece(string table, string prefix) => Cells(table, prefix)[^2];

    private static string[] Cells(string table, string prefix) =>
        table.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal)).Split('|', StringSplitOptions.TrimEntries);

    [Theory]
    [InlineData("--model", "model.onnx")]
    [InlineData("--spawn", null)]
    public async Task BenchLoadRefusesToMixAServerWithAModelToStart(string option, string? value)
    {
        string[] args = value is null ? ["bench", "load", "--server", _url, option] : ["bench", "load", "--server", _url, option, value];

        var (exit, output, error) = await RunAsync(args);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Equal("hbac: bench load: --server measures a running service; --spawn, --model and --models start one here", error.Trim());
    }

    [Theory]
    [InlineData("models")]
    [InlineData("stream")]
    public async Task AnUnreachableServerIsOneLineNamingItsUrl(string command)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var path = Path.Combine(_factory.Home, "short.parquet");
        EegParquetWriter.Write(path, Inputs.Recording(Inputs.Eeg(3)));
        string[] args = command == "models" ? ["models", "--server", url] : ["stream", "--server", url, path];

        var (exit, output, error) = await RunAsync(args);

        Assert.Equal(2, exit);
        Assert.Empty(output);
        var line = Assert.Single(Lines(error));
        Assert.StartsWith($"hbac: {url}: inference server unreachable", line);
    }

    [Fact]
    public async Task ANonUrlServerIsAUsageError()
    {
        var (exit, _, error) = await RunAsync("models", "--server", "localhost:5103");

        Assert.Equal(2, exit);
        Assert.Equal(["hbac: --server: 'localhost:5103' is not an http:// or https:// URL"], Lines(error));
    }

    [Fact]
    public async Task ReportOnTheServerWritesWhatTheLocalReportWrites()
    {
        var data = Path.Combine(_factory.Home, "long");
        var recording = LongRecordings.Generate(new LongRecordingOptions { OutputFolder = data, Recordings = 1, Hours = 0.05, Seed = 2 })[0];
        var model = Path.Combine(_factory.Repository, "e1", "model.onnx");

        var local = await RunAsync("report", recording.EdfPath, "--model", model, "--out", Path.Combine(_factory.Home, "local"));
        var served = await RunAsync("report", recording.EdfPath, "--server", _url, "--out", Path.Combine(_factory.Home, "served"));

        Assert.Equal(0, local.Exit);
        Assert.Equal(0, served.Exit);
        // 180 s: windows end at 50, 60, ..., 180 s, so 14 segments.
        Assert.Contains("streamed from disk; 14 segments (10-s step), 0 not scored", local.Output);
        Assert.Contains("scored by model e1 on the server; 14 segments (10-s step), 0 not scored", served.Output);
        Assert.Equal(File.ReadAllText(Path.Combine(_factory.Home, "local", "timeline.csv")), File.ReadAllText(Path.Combine(_factory.Home, "served", "timeline.csv")));
        // The same report.json but for the file's name (the upload's name on the server) and the model (path / version).
        var localJson = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(_factory.Home, "local", "report.json")))!;
        var servedJson = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(_factory.Home, "served", "report.json")))!;
        Assert.Equal("long_001.edf", servedJson["recording"]!["file"]!.GetValue<string>());
        Assert.Equal("e1", servedJson["model"]!.GetValue<string>());
        foreach (var json in new[] { localJson, servedJson })
        {
            json["recording"]!["file"] = "";
            json["model"] = "";
        }
        Assert.Equal(localJson.ToJsonString(), servedJson.ToJsonString());
        Assert.True(File.Exists(Path.Combine(_factory.Home, "served", "report.png")));
    }

    /// <summary>hbac in this process, with the test services' key in HBAC_API_KEY (as a user of the stack would set it).</summary>
    internal static Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) =>
        RunWithKeyVariableAsync(TestApiKey.Value, args);

    /// <summary>hbac in this process with <paramref name="apiKeyVariable"/> as HBAC_API_KEY (null: unset), restored afterwards.</summary>
    internal static async Task<(int Exit, string Output, string Error)> RunWithKeyVariableAsync(string? apiKeyVariable, params string[] args)
    {
        var variable = Environment.GetEnvironmentVariable(ApiKeys.EnvironmentVariable);
        Environment.SetEnvironmentVariable(ApiKeys.EnvironmentVariable, apiKeyVariable);
        try
        {
            return await InvokeAsync(args);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ApiKeys.EnvironmentVariable, variable);
        }
    }

    private static async Task<(int Exit, string Output, string Error)> InvokeAsync(string[] args)
    {
        var root = new RootCommand("hbac");
        foreach (var command in HbacCommands.All())
        {
            root.Subcommands.Add(command);
        }
        var (stdout, stderr) = (Console.Out, Console.Error);
        using var output = new StringWriter();
        using var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var exit = await root.Parse(args).InvokeAsync();
            return (exit, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }

    private static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.Contains(" replies in ") && !l.Contains(" versions, ")).ToArray();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
