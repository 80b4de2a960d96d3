using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Hbac.Cli.Benchmarks;
using Hbac.Cli.Services;
using Hbac.Contracts;
using Hbac.Contracts.Streaming;
using Hbac.Contracts.V1;
using Hbac.Eeg;
using Hbac.Eeg.Formats;
using Hbac.Eeg.Labels;
using Hbac.Eeg.Metrics;
using Hbac.Learning.Onnx;
using Hbac.Learning.Training;
using Hbac.Onnx;
using Spectre.Console;
using ModelInputKind = Hbac.Onnx.ModelInputKind;

namespace Hbac.Cli.Commands;

/// <summary>
/// <c>hbac bench stream</c>: stream fidelity. Streams the EEG files of a fold's validation rows through
/// StreamEeg (a running service, or one started here on a model repository), takes the reply whose
/// segment is each row's labelled 10 s, and prints its Kaggle KL next to the same models' offline KL on
/// the same rows, the class prior and (synthetic data) the best achievable.
/// </summary>
internal static class BenchStreamCommand
{
    private const string Name = "bench stream";

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Kaggle-format folder (train.csv, train_eegs/, train_spectrograms/; truth.csv when synthetic)", Required = true };
        var models = new Option<string>("--models") { Description = "Model repository (<version>/model.onnx): served by the service started here, and where the offline scores read the served versions from", Required = true };
        var server = new Option<string?>("--server") { Description = "Stream to a running inference service that serves --models, instead of starting one" };
        var service = new Option<string?>("--service") { Description = "Hbac.Inference.dll to start (default: found under src/Hbac.Inference/bin, Release first)" };
        var fold = new Option<int>("--fold") { Description = "Validation fold of StratifiedGroupKFold(5, seed 42), as training splits it", DefaultValueFactory = _ => 0 };
        var parallel = new Option<int>("--parallel") { Description = "EEG files streamed at once", DefaultValueFactory = _ => 4 };
        var output = (new Option<string?>("--out") { Description = "Also write the Markdown table to this file" }).MustNotBeAFolder();
        var command = new Command("stream",
            "Stream fidelity: KL of StreamEeg replies on a fold's labelled 10-s segments vs the same models offline, the class prior and the best achievable");
        foreach (var option in new Option[] { data, models, server, service, fold, parallel, output })
        {
            command.Options.Add(option);
        }
        ServiceKey.AddOptions(command);
        command.SetAction((parseResult, ct) => CliGuard.RunAsync(async () =>
        {
            var folder = parseResult.GetValue(data)!;
            var repository = parseResult.GetValue(models)!;
            var foldIndex = parseResult.GetValue(fold);
            var width = parseResult.GetValue(parallel);
            if (foldIndex is < 0 or >= 5)
            {
                throw new CliUsageException($"--fold: must be in 0..4 (got {foldIndex})");
            }
            if (width < 1)
            {
                throw new CliUsageException($"--parallel: must be >= 1 (got {width})");
            }
            if (!Directory.Exists(repository))
            {
                throw new CliUsageException($"--models: {repository}: model repository not found");
            }
            var eegData = KaggleTrainingData.Open(folder, null, ModelInputKind.Eeg);
            var split = FoldSplit.Create(eegData.Windows, foldIndex, 5, 42, eegData.LabelsPath);
            var url = parseResult.GetValue(server);
            await using var spawned = url is null
                ? await SpawnedInferenceService.StartAsync(Name, parseResult.GetValue(service) ?? SpawnedInferenceService.FindDll(Name), repository, 16,
                    m => m.ActiveEegVersion.Length > 0 ? null : "no EEG-window model", ct)
                : null;
            url ??= spawned!.Url;
            using var channel = spawned?.Channel() ?? InferenceLoad.Channel(url, ServiceKey.Resolve(parseResult));
            var client = new Inference.InferenceClient(channel);
            var listed = await client.ListModelsAsync(new ListModelsRequest(), deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: ct);
            if (listed.ActiveEegVersion.Length == 0)
            {
                throw new CliUsageException($"{Name}: {url} serves no EEG-window model; StreamEeg needs one (hbac train --input eeg)");
            }

            var clock = Stopwatch.StartNew();
            var replies = await StreamFilesAsync(client, eegData, split.Validation, width, ct);
            var streamSeconds = clock.Elapsed.TotalSeconds;
            var report = await BuildReportAsync(folder, repository, url, foldIndex, eegData, split, listed, replies, streamSeconds, ct);
            BenchmarkFiles.PrintTable(report.ToMarkdown(), parseResult.GetValue(output));
            return 0;
        }));
        return command;
    }

    /// <summary>Every EEG file with a validation row, streamed whole in 1-s chunks as fast as the service takes them.</summary>
    private static async Task<IReadOnlyDictionary<long, IReadOnlyList<StreamedSegment>>> StreamFilesAsync(
        Inference.InferenceClient client, TrainingData eegData, IReadOnlyList<TrainingWindow> rows, int width, CancellationToken ct)
    {
        var eegIds = rows.Select(r => r.EegId).Distinct().Order().ToList();
        var eegFolder = ((EegWindowSource)eegData.Source).Folder;
        var results = new ConcurrentDictionary<long, IReadOnlyList<StreamedSegment>>();
        await TrainingConsole.On(Console.Error).Progress().AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var bar = context.AddTask($"streaming {eegIds.Count} EEG files", maxValue: eegIds.Count);
                await Parallel.ForEachAsync(eegIds, new ParallelOptions { MaxDegreeOfParallelism = width, CancellationToken = ct }, async (eegId, token) =>
                {
                    var path = Path.Combine(eegFolder, $"{eegId}.parquet");
                    var channels = StreamCommand.StreamChannels(RecordingFiles.Load(path), path);
                    results[eegId] = await StreamOneAsync(client, channels, path, token);
                    bar.Increment(1);
                });
            });
        return results;
    }

    private static async Task<IReadOnlyList<StreamedSegment>> StreamOneAsync(Inference.InferenceClient client, float[][] channels, string path, CancellationToken ct)
    {
        using var call = client.StreamEeg(cancellationToken: ct);
        // Read while sending: a long recording's replies would otherwise fill the HTTP/2 window and stall both sides.
        var reader = Task.Run(async () =>
        {
            var segments = new List<StreamedSegment>();
            await foreach (var reply in call.ResponseStream.ReadAllAsync(ct))
            {
                segments.Add(new StreamedSegment(reply.SegmentStartSeconds, reply.Probabilities.ToArray(), reply.ModelVersion));
            }
            return segments;
        }, ct);
        try
        {
            foreach (var chunk in EegChunks.Split(channels, EegStream.SampleRateHz, SampleLayout.Interleaved))
            {
                await call.RequestStream.WriteAsync(new StreamEegRequest { Chunk = chunk }, ct);
            }
            await call.RequestStream.CompleteAsync();
            return await reader;
        }
        catch (RpcException e)
        {
            throw new CliUsageException($"{Name}: {path}: StreamEeg ended with {e.StatusCode}: {e.Status.Detail}");
        }
    }

    private static async Task<StreamFidelityReport> BuildReportAsync(string folder, string repository, string url, int fold, TrainingData eegData, FoldSplit split,
        ListModelsResponse listed, IReadOnlyDictionary<long, IReadOnlyList<StreamedSegment>> replies, double streamSeconds, CancellationToken ct)
    {
        var rows = split.Validation;
        var segments = rows.Select(r => new LabelledSegment(r.LabelId, r.EegId, r.InputOffsetSeconds + StreamFidelity.SegmentStartAfterWindowStart)).ToList();
        var matched = StreamFidelity.Match(segments, replies);
        var scored = Enumerable.Range(0, rows.Count).Where(i => matched[i] is not null).ToList();
        if (scored.Count == 0)
        {
            throw new CliUsageException($"{Name}: no reply describes a labelled 10 s of fold {fold} (are the eeg_label_offset_seconds on the 2-s reply grid?)");
        }
        var scoredRows = scored.Select(i => rows[i]).ToList();
        var votes = scoredRows.Select(r => r.Votes.Select(v => (double)v).ToArray()).ToList();
        var streamedVersions = scored.Select(i => matched[i]!.ModelVersion).Distinct().ToList();
        var streamedProbabilities = scored.Select(i => matched[i]!.Probabilities.Select(p => (double)p).ToArray()).ToList();
        var streamedKl = KaggleKl.Score(votes, streamedProbabilities);

        // Offline scores read the file the service serves for each version (model.int8.onnx by default when there is one).
        var eegVersion = Served(listed, listed.ActiveEegVersion);
        var eegOffline = await OfflineKlAsync(Path.Combine(repository, listed.ActiveEegVersion, eegVersion.File), eegData, scoredRows, votes, ct);
        var table = new List<StreamFidelityRow>
        {
            new("EEG-window model, streamed: the reply whose segment is the labelled 10 s", string.Join(", ", streamedVersions), scored.Count, streamedKl)
            {
                Ece = StreamFidelityRow.EceOf(votes, streamedProbabilities.SelectMany(p => p).ToArray()),
            },
            new("EEG-window model, offline: the same rows' 50-s windows", eegVersion.Label, scored.Count, eegOffline.Kl, eegOffline.Note) { Ece = eegOffline.Ece },
        };
        if (listed.ActiveVersion.Length > 0)
        {
            var spectrogramVersion = Served(listed, listed.ActiveVersion);
            var spectrogramKl = await SpectrogramOfflineAsync(folder, Path.Combine(repository, listed.ActiveVersion, spectrogramVersion.File), scoredRows, votes, ct);
            table.Add(new("spectrogram model, offline: the same rows' 600-s spectrogram windows", spectrogramVersion.Label, scored.Count, spectrogramKl.Kl, spectrogramKl.Note)
            {
                Ece = spectrogramKl.Ece,
            });
            table.Add(new("spectrogram model, streamed", listed.ActiveVersion, 0, null, "not streamed: StreamEeg scores with the EEG-window model"));
        }
        var prior = split.TrainingPrior();
        table.Add(new("class prior: the training folds' mean votes for every row", "", scored.Count, KaggleKl.Score(votes, scoredRows.Select(_ => prior).ToList())));
        if (FoldEvaluator.TruthAnchors(folder, scoredRows) is { } anchors)
        {
            table.Add(new("perfect reader: every pattern drawn into the signal read exactly (PerfectReader)", "", scored.Count, anchors.PerfectReaderKl));
            table.Add(new("best achievable: the true distributions the votes were drawn from (truth.csv)", "", scored.Count, anchors.BestAchievableKl));
        }
        var unmatched = rows.Count - scored.Count;
        var why = unmatched > 0 ? $" ({unmatched} not: their offset is off the 2-s reply grid or their EEG is too short)" : "";
        var details = string.Create(CultureInfo.InvariantCulture,
            $"{replies.Count} EEG files streamed to {url} in {streamSeconds:0.0} s, {replies.Values.Sum(r => r.Count)} replies; {scored.Count} of {rows.Count} validation rows have a reply whose segment is their labelled 10 s{why}.");
        return new StreamFidelityReport($"fold {fold} of {folder}", table,
            eegOffline.Kl is { } offline && offline > 0 ? streamedKl / offline : null, details);
    }

    /// <summary>The file the service serves for <paramref name="version"/> (its active row's precision) and how the table names it.</summary>
    private static (string File, string Label) Served(ListModelsResponse listed, string version)
    {
        var precision = listed.ServedPrecision(version) is { Length: > 0 } name
            ? ModelPrecisions.Parse(name)
            : ModelPrecision.Fp32;
        return (precision.FileName(), $"{version} ({precision.Name()})");
    }

    private static async Task<(double? Kl, string? Note, (double, double)? Ece)> OfflineKlAsync(string onnx, TrainingData data, IReadOnlyList<TrainingWindow> rows,
        IReadOnlyList<double[]> votes, CancellationToken ct)
    {
        if (!File.Exists(onnx))
        {
            return (null, $"{onnx} not found: is --models the repository the service serves?", null);
        }
        using var classifier = OnnxClassifier.Open(onnx);
        var probabilities = await FoldEvaluator.PredictAsync(classifier, data.Source, rows, ct: ct);
        return (KaggleKl.Score(votes.SelectMany(v => v).ToArray(), probabilities, EegClasses.Count), null, StreamFidelityRow.EceOf(votes, probabilities));
    }

    private static async Task<(double? Kl, string? Note, (double, double)? Ece)> SpectrogramOfflineAsync(string folder, string onnx, IReadOnlyList<TrainingWindow> rows,
        IReadOnlyList<double[]> votes, CancellationToken ct)
    {
        TrainingData spectrograms;
        try
        {
            spectrograms = KaggleTrainingData.Open(folder, null, ModelInputKind.Spectrogram);
        }
        catch (EegDataException e)
        {
            return (null, e.Message, null);
        }
        // The same train.csv rows, read at their spectrogram ids and offsets.
        var byLabel = spectrograms.Windows.ToDictionary(w => w.LabelId);
        return await OfflineKlAsync(onnx, spectrograms, rows.Select(r => byLabel[r.LabelId]).ToList(), votes, ct);
    }
}
