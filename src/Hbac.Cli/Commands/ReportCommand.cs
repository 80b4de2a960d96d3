using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Hbac.Cli.Reports;
using Hbac.Cli.Services;
using Hbac.Contracts.V1;
using Hbac.Eeg.Formats;
using Hbac.Eeg.Formats.Edf;
using Hbac.Eeg.Labels;
using Hbac.Eeg.Reports;
using Hbac.Onnx;
using ModelInputKind = Hbac.Onnx.ModelInputKind;

namespace Hbac.Cli.Commands;

/// <summary>
/// <c>hbac report &lt;rec.edf | rec.bdf | eeg.parquet | folder&gt; --model &lt;eeg model.onnx&gt; --out &lt;folder&gt;
/// [--step 10] [--truth &lt;file&gt;]</c>: scores every segment of a whole recording with the EEG-window model
/// and writes timeline.csv, report.json and report.png. A folder reports each recording in it (into
/// out/&lt;name&gt;/, with a <c>&lt;name&gt;.truth.csv</c> beside it used as its truth) and pools the SzCORE scores.
/// With <c>--server &lt;url&gt;</c> the inference service's ScoreRecording scores it instead (the file uploaded,
/// or with <c>--remote</c> named by its path under the server's data root) and the same files are written.
/// </summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("recording") { Description = "EDF, BDF or Kaggle EEG parquet recording, or a folder of them (subfolders included)" };
        var model = new Option<string?>("--model") { Description = "EEG-window ONNX model (hbac.input = eeg); or --server" };
        var server = new Option<string?>("--server") { Description = "Inference service URL: its ScoreRecording scores the recording with the served EEG-window model" };
        var remote = new Option<bool>("--remote") { Description = "With --server: the recording is a path under the server's data root (else the file is uploaded)" };
        var output = new Option<string>("--out") { Description = "Folder to write timeline.csv, report.json and report.png into", Required = true };
        var step = new Option<int>("--step") { Description = "Seconds between scored segments (each is the centre 10 s of a 50-s window)", DefaultValueFactory = _ => 10 };
        var truth = new Option<string?>("--truth") { Description = "True events (onset_seconds,offset_seconds,class CSV, as hbac synth --recordings writes): prints SzCORE event scores" };
        var on = new Option<double>("--on") { Description = "Event hysteresis: probability that starts an event", DefaultValueFactory = _ => EventDetectionOptions.Default.OnThreshold };
        var off = new Option<double>("--off") { Description = "Event hysteresis: probability below which an event ends", DefaultValueFactory = _ => EventDetectionOptions.Default.OffThreshold };
        var minDuration = new Option<double>("--min-duration") { Description = "Events shorter than this (s) are dropped", DefaultValueFactory = _ => EventDetectionOptions.Default.MinDurationSeconds };
        var mergeGap = new Option<double>("--merge-gap") { Description = "Events of a class closer than this (s) are merged", DefaultValueFactory = _ => EventDetectionOptions.Default.MergeGapSeconds };
        var command = new Command("report",
            "Score a whole recording segment by segment with the EEG-window model: timeline.csv, report.json (burden, status-epilepticus flags, events) and report.png");
        command.Arguments.Add(input);
        foreach (var option in new Option[] { model, server, remote, output, step, truth, on, off, minDuration, mergeGap })
        {
            command.Options.Add(option);
        }
        ServiceKey.AddOptions(command);
        ReplyWatchdog.AddOption(command);
        command.SetAction((parseResult, ct) => CliGuard.RunAsync(async () =>
        {
            var path = parseResult.GetValue(input)!;
            var stepSeconds = parseResult.GetValue(step);
            if (stepSeconds is < 1 or > 600)
            {
                throw new CliUsageException($"--step: {stepSeconds} is out of range (1 to 600 s)");
            }
            var options = new EventDetectionOptions
            {
                OnThreshold = parseResult.GetValue(on),
                OffThreshold = parseResult.GetValue(off),
                MinDurationSeconds = parseResult.GetValue(minDuration),
                MergeGapSeconds = parseResult.GetValue(mergeGap),
            };
            if (options.Problem() is { } problem)
            {
                throw new CliUsageException(problem);
            }
            var truthPath = parseResult.GetValue(truth);
            if (truthPath is not null && !File.Exists(truthPath))
            {
                throw new FileNotFoundException(null, truthPath);
            }
            var modelPath = parseResult.GetValue(model);
            var url = parseResult.GetValue(server);
            if ((modelPath is null) == (url is null))
            {
                throw new CliUsageException("report: give one of --model <eeg model.onnx> or --server <url>");
            }
            var outFolder = parseResult.GetValue(output)!;
            if (url is not null)
            {
                if (options != EventDetectionOptions.Default)
                {
                    throw new CliUsageException("--server: the service finds events with the default parameters; --on, --off, --min-duration and --merge-gap are for --model");
                }
                var isRemote = parseResult.GetValue(remote);
                if (!isRemote && !File.Exists(path))
                {
                    throw new FileNotFoundException(null, path);
                }
                return await InferenceServer.RunAsync(url, ServiceKey.Resolve(parseResult), ReplyWatchdog.Resolve(parseResult),
                    (client, watchdog) => ReportOnServerAsync(client, path, isRemote, outFolder, stepSeconds, truthPath, watchdog), ct);
            }
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                throw new FileNotFoundException(null, path);
            }
            var localModel = modelPath!;
            using var classifier = OnnxClassifier.Open(localModel);
            var kind = classifier.InputKind();
            if (kind != ModelInputKind.Eeg)
            {
                throw new CliUsageException($"--model: {modelPath} reads {kind.Name()} windows ({ModelInputKinds.MetadataKey}); a report needs an EEG-window model (train one with --input eeg)");
            }
            if (!Directory.Exists(path))
            {
                await ReportOneAsync(path, classifier, localModel, outFolder, stepSeconds, options, truthPath, ct);
                return 0;
            }
            if (truthPath is not null)
            {
                throw new CliUsageException("--truth: give a truth file with one recording; a folder takes <name>.truth.csv beside each recording");
            }
            return await ReportFolderAsync(path, classifier, localModel, outFolder, stepSeconds, options, ct);
        }));
        return command;
    }

    private static async Task<int> ReportFolderAsync(
        string folder, OnnxClassifier classifier, string modelPath, string outFolder, int stepSeconds, EventDetectionOptions options, CancellationToken ct)
    {
        // Subfolders too (a data set is a tree of patients or sessions); hidden ones, such as .hbac, are skipped. Listed whole
        // before the first report is written, so an --out inside the folder cannot feed the walk.
        var files = Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
            .Where(f => RecordingFiles.Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new CliUsageException($"{folder}: no .edf, .bdf or .parquet recordings in the folder or its subfolders");
        }
        var reportFolders = ReportFolders(folder, files, outFolder);
        var scores = new List<SzCoreScore>();
        var failed = 0;
        foreach (var file in files)
        {
            var truth = Path.Combine(Path.GetDirectoryName(file)!, Path.GetFileNameWithoutExtension(file) + ".truth.csv");
            try
            {
                if (await ReportOneAsync(file, classifier, modelPath, reportFolders[file], stepSeconds, options, File.Exists(truth) ? truth : null, ct) is { } score)
                {
                    scores.Add(score);
                }
            }
            catch (Exception e) when (CliGuard.UserMessage(e) is { } message && e is not OperationCanceledException)
            {
                // One bad file does not stop the others: its reason is one line.
                Console.WriteLine($"{file}: not reported: {message}");
                failed++;
            }
            Console.WriteLine();
        }
        if (scores.Count > 0)
        {
            var referenceEvents = scores.Sum(s => s.ReferenceEvents);
            var truePositives = scores.Sum(s => s.TruePositives);
            var detected = scores.Sum(s => s.DetectedEvents);
            var falsePositives = scores.Sum(s => s.FalsePositives);
            var hours = scores.Sum(s => s.RecordingHours);
            Console.WriteLine("| pooled over | true seizures | detected | sensitivity | precision | false alarms | per 24 h |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Counted.Of(scores.Count, "recording")}, {hours:0.##} h | {referenceEvents} | {detected} | {Ratio(truePositives, referenceEvents)} | {Ratio(detected - falsePositives, detected)} | {falsePositives} | {falsePositives / hours * 24:0.##} |"));
        }
        Console.WriteLine($"{files.Count - failed} of {Counted.Of(files.Count, "recording")} reported into {outFolder}");
        return failed == files.Count ? CliGuard.UserError : 0;
    }

    /// <summary>
    /// Each recording's report folder: its path under <paramref name="folder"/> without the extension, under
    /// <paramref name="outFolder"/>; recordings that share a name in one folder (a.edf and a.parquet) keep their extension.
    /// </summary>
    internal static Dictionary<string, string> ReportFolders(string folder, IReadOnlyList<string> files, string outFolder)
    {
        string Stem(string file) => Path.Combine(Path.GetDirectoryName(Path.GetRelativePath(folder, file)) ?? "", Path.GetFileNameWithoutExtension(file));
        var shared = files.GroupBy(Stem, StringComparer.Ordinal).Where(g => g.Count() > 1).SelectMany(g => g).ToHashSet(StringComparer.Ordinal);
        return files.ToDictionary(
            file => file,
            file => Path.Combine(outFolder, shared.Contains(file) ? Path.GetRelativePath(folder, file) : Stem(file)),
            StringComparer.Ordinal);
    }

    private static string Ratio(int numerator, int denominator) =>
        denominator == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{numerator / (double)denominator:0.000} ({numerator}/{denominator})");

    private static async Task<SzCoreScore?> ReportOneAsync(
        string path, OnnxClassifier classifier, string modelPath, string outFolder, int stepSeconds, EventDetectionOptions options, string? truthPath, CancellationToken ct)
    {
        var truth = truthPath is null ? null : TruthFile.Read(truthPath);
        using var recording = ChunkedRecording.Open(path);
        if (recording.DurationSeconds < Eeg.Windows.EegWindow.Seconds)
        {
            throw new Eeg.EegDataException($"{path}: {recording.DurationSeconds:0.#} s long; a report needs at least one 50-s window");
        }
        var stopwatch = Stopwatch.StartNew();
        IReadOnlyList<SegmentScore> segments = [];
        await StderrProgress.Create().StartAsync(async context =>
        {
            var task = context.AddTask($"scoring {Path.GetFileName(path)}", maxValue: Math.Max(1, recording.DurationSeconds));
            segments = await RecordingScorer.ScoreAsync(recording, (inputs, count, _) => Task.FromResult<IReadOnlyList<float[]>>(classifier.Predict(inputs, count)),
                stepSeconds, read => task.Value = read, ct, pooled: classifier.Pooling);
            task.Value = task.MaxValue;
        });
        var elapsed = stopwatch.Elapsed;
        var analysis = RecordingAnalysis.Of(segments, options);
        var score = truth is null ? null : analysis.ScoreSeizures(truth, recording.DurationSeconds);

        Directory.CreateDirectory(outFolder);
        ReportFiles.WriteTimeline(Path.Combine(outFolder, "timeline.csv"), segments);
        ReportFiles.WriteJson(Path.Combine(outFolder, "report.json"), ReportFiles.Build(recording, modelPath, stepSeconds, analysis, score, truthPath));
        ReportPlot.Draw(Path.Combine(outFolder, "report.png"), Path.GetFileName(path), recording.DurationSeconds, analysis, recording.Annotations, truth);
        PrintSummary(FirstLine(path, recording.DurationSeconds, recording.Format, recording.SourceSampleRateHz, [.. recording.Mapped.Select(m => m.Canonical)],
            recording.Streamed ? "streamed from disk" : "loaded whole", stepSeconds, analysis, elapsed), analysis, score, truthPath, outFolder);
        return score;
    }

    /// <summary>ScoreRecording on the service: the same three files, the JSON as the service sent it (plus SzCORE with --truth).</summary>
    private static async Task<int> ReportOnServerAsync(
        Inference.InferenceClient client, string path, bool remote, string outFolder, int stepSeconds, string? truthPath, ReplyWatchdog watchdog)
    {
        var ct = watchdog.Token;
        var truth = truthPath is null ? null : TruthFile.Read(truthPath);
        var request = remote
            ? new ScoreRecordingRequest { Path = path, StepSeconds = stepSeconds }
            : new ScoreRecordingRequest
            {
                Upload = new UploadedRecording { FileName = Path.GetFileName(path), Content = ByteString.CopyFrom(await File.ReadAllBytesAsync(path, ct)) },
                StepSeconds = stepSeconds,
            };
        var stopwatch = Stopwatch.StartNew();
        var segments = new List<SegmentScore>();
        RecordingSummary? summary = null;
        await StderrProgress.Create().StartAsync(async context =>
        {
            var task = context.AddTask($"scoring {Path.GetFileName(path)} on the server");
            using var call = client.ScoreRecording(request, cancellationToken: ct);
            await foreach (var reply in call.ResponseStream.ReadAllAsync(ct))
            {
                watchdog.Kick();
                switch (reply.ReplyCase)
                {
                    case ScoreRecordingResponse.ReplyOneofCase.Progress:
                        task.MaxValue = Math.Max(1, reply.Progress.DurationSeconds);
                        task.Value = reply.Progress.SecondsRead;
                        break;
                    case ScoreRecordingResponse.ReplyOneofCase.Segment:
                        segments.Add(ToSegment(reply.Segment));
                        break;
                    case ScoreRecordingResponse.ReplyOneofCase.Summary:
                        summary = reply.Summary;
                        break;
                }
            }
        });
        if (summary is null)
        {
            throw new CliUsageException($"--server: the service ended ScoreRecording without a summary");
        }
        var report = JsonNode.Parse(summary.ReportJson)!.AsObject();
        var facts = report["recording"]!.AsObject();
        var duration = facts["duration_seconds"]!.GetValue<double>();
        var analysis = RecordingAnalysis.Of(segments);
        var score = truth is null ? null : analysis.ScoreSeizures(truth, duration);
        if (score is not null)
        {
            report["szcore"] = ReportFiles.SzCore(score, truthPath);
        }
        Directory.CreateDirectory(outFolder);
        ReportFiles.WriteTimeline(Path.Combine(outFolder, "timeline.csv"), segments);
        ReportFiles.WriteJson(Path.Combine(outFolder, "report.json"), report);
        var annotations = facts["annotations"]!.AsArray().Select(a => new EdfAnnotation(
            a!["onset_seconds"]!.GetValue<double>(), a["duration_seconds"]?.GetValue<double>(), a["text"]!.GetValue<string>())).ToList();
        ReportPlot.Draw(Path.Combine(outFolder, "report.png"), Path.GetFileName(path), duration, analysis, annotations, truth);
        var mapped = facts["electrodes_mapped"]!.AsObject().Select(p => p.Key).ToList();
        PrintSummary(FirstLine(path, duration, facts["format"]!.GetValue<string>(), facts["sample_rate_hz"]!.GetValue<double>(),
            mapped, $"scored by model {summary.ModelVersion} on the server",
            stepSeconds, analysis, stopwatch.Elapsed), analysis, score, truthPath, outFolder);
        return 0;
    }

    private static SegmentScore ToSegment(RecordingSegment segment)
    {
        var flags = segment.BadElectrodes.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split(':'))
            .Select(f => new ElectrodeFlag(f[0], Enum.Parse<ElectrodeProblem>(f[1], ignoreCase: true)))
            .ToList();
        var quality = flags.Count == 0 && segment.Quality == "ok" ? SegmentQuality.Good : new SegmentQuality(flags, segment.Quality != "not_scored");
        return new SegmentScore(segment.StartSeconds, segment.EndSeconds, segment.Probabilities.ToArray(), quality);
    }

    /// <param name="mapped">The canonical names of report.json's electrodes_mapped: electrodes, or a bipolar file's chains ("Fp1-F7").</param>
    private static string FirstLine(string path, double duration, string format, double rate, IReadOnlyList<string> mapped, string how,
        int stepSeconds, RecordingAnalysis analysis, TimeSpan elapsed)
    {
        var chains = mapped.Count(m => m.Contains('-', StringComparison.Ordinal));
        var montage = chains > 0
            ? $"{chains} double-banana chains mapped from bipolar derivations"
            : $"{mapped.Count(m => m != "EKG")} of 19 electrodes mapped";
        return string.Create(CultureInfo.InvariantCulture,
            $"{path}: {Clock(duration)} {format} at {rate:0.##} Hz, {montage}{(mapped.Contains("EKG") ? " + EKG" : "")}, " +
            $"{how}; {analysis.Segments.Count} segment{(analysis.Segments.Count == 1 ? "" : "s")} ({stepSeconds}-s step), " +
            $"{analysis.Segments.Count(s => !s.Scored)} not scored, in {elapsed.TotalSeconds:0.0} s");
    }

    private static void PrintSummary(string firstLine, RecordingAnalysis analysis, SzCoreScore? score, string? truthPath, string outFolder)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(firstLine);
        Console.WriteLine("minutes: " + string.Join(", ", Enumerable.Range(0, EegClasses.Count)
            .Select(c => string.Create(inv, $"{EegClasses.Names[c]} {analysis.ClassMinutes[c]:0.0}"))) + string.Create(inv, $", not scored {analysis.NotScoredMinutes:0.0}"));
        string Max(IReadOnlyList<BurdenPoint> points)
        {
            var best = points.Where(p => p.Burden is not null).MaxBy(p => p.Burden!.Value);
            return best is null ? "-" : string.Create(inv, $"{best.Burden:P0} at {Clock(best.TimeSeconds)}");
        }
        Console.WriteLine($"seizure burden: max trailing 5 min {Max(analysis.Burden5Minutes)}, max trailing 60 min {Max(analysis.Burden60Minutes)}");
        Console.WriteLine("status epilepticus: " + string.Join("; ", analysis.StatusEpilepticus.Select(f =>
            f.Held ? $"{f.Name} held from {Clock(f.FirstHeldSeconds!.Value)}" : $"{f.Name} never held")));
        var byClass = analysis.Events.GroupBy(e => e.ClassIndex).OrderBy(g => g.Key).Select(g => $"{EegClasses.Names[g.Key]} {g.Count()}");
        Console.WriteLine($"events: {analysis.Events.Count}{(analysis.Events.Count > 0 ? $" ({string.Join(", ", byClass)})" : "")}");
        if (score is not null)
        {
            Console.WriteLine(string.Create(inv,
                $"SzCORE vs {Path.GetFileName(truthPath)}: sensitivity {Ratio(score.TruePositives, score.ReferenceEvents)}, precision {Ratio(score.DetectedEvents - score.FalsePositives, score.DetectedEvents)}, " +
                $"{score.FalsePositives} false alarms ({score.FalseAlarmsPer24Hours:0.##} per 24 h)"));
        }
        Console.WriteLine($"wrote {Path.Combine(outFolder, "timeline.csv")}, report.json, report.png");
    }

    /// <summary>h:mm:ss.</summary>
    private static string Clock(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Round(seconds));
        return $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}";
    }
}
