using Hbac.Eeg;
using Hbac.Eeg.Formats;
using Hbac.Eeg.Reports;
using Hbac.Inference.Extensions;
using Hbac.Inference.Models;
using Hbac.Inference.Scoring;
using HbacAspire.ServiceDefaults.Requests;
using Microsoft.Extensions.Options;
using ModelInputKind = Hbac.Onnx.ModelInputKind;

namespace Hbac.Inference.Reports;

/// <summary>What ScoreRecording reports as it goes: progress, newly scored segments, and the final report.</summary>
public interface IRecordingReportSink
{
    Task ProgressAsync(double secondsRead, double durationSeconds);

    Task SegmentsAsync(IReadOnlyList<SegmentScore> segments);

    Task SummaryAsync(string reportJson, string modelVersion);
}

/// <summary>
/// ScoreRecording's work: opens a recording under the data root (or an upload, kept in a temporary file
/// while it is read), scores it with the served EEG-window model through the batcher, with the command's
/// code (<see cref="RecordingScorer"/>, <see cref="RecordingAnalysis"/>, <see cref="ReportFiles"/>), and
/// hands the results to a sink. Errors are the service's domain exceptions and <see cref="RequestRejectedException"/>.
/// </summary>
public sealed class RecordingReporter(IModelRepository models, MicroBatcher batcher, IOptions<InferenceOptions> options)
{
    public const int DefaultStepSeconds = 10;

    public async Task ReportPathAsync(string path, int stepSeconds, IRecordingReportSink sink, CancellationToken ct)
    {
        var root = options.Value.DataRoot;
        if (string.IsNullOrWhiteSpace(root))
        {
            throw new ScoringUnavailableException("path: this server has no data root (Hbac:DataRoot); upload the file instead");
        }
        var dataRoot = new DataRoot(root);
        var file = dataRoot.ResolveFile(path, "path");
        await ReportFileAsync(file, dataRoot.Relative(file), stepSeconds, sink, ct);
    }

    public async Task ReportUploadAsync(string fileName, ReadOnlyMemory<byte> content, int stepSeconds, IRecordingReportSink sink, CancellationToken ct)
    {
        var name = Path.GetFileName(fileName ?? "");
        var extension = Path.GetExtension(name).ToLowerInvariant();
        if (!RecordingFiles.Extensions.Contains(extension))
        {
            throw new RequestRejectedException(Rejection.InvalidArgument,
                $"upload.file_name: '{StatusDetail.Echo(fileName)}' must end in {string.Join(", ", RecordingFiles.Extensions)}");
        }
        if (content.Length > options.Value.MaxRecordingUploadBytes)
        {
            throw new RequestRejectedException(Rejection.LimitExceeded,
                $"upload.content: {content.Length} bytes, over this server's {options.Value.MaxRecordingUploadBytes}-byte upload limit; put the file under the data root and send its path");
        }
        if (content.IsEmpty)
        {
            throw new RequestRejectedException(Rejection.InvalidArgument, "upload.content: empty, expected the bytes of an EDF, BDF or Kaggle EEG parquet file");
        }
        using var file = await UploadedFile.WriteAsync(name, content, ct);
        await ReportFileAsync(file.Path, name, stepSeconds, sink, ct);
    }

    private async Task ReportFileAsync(string file, string shownName, int stepSeconds, IRecordingReportSink sink, CancellationToken ct)
    {
        var step = stepSeconds == 0 ? DefaultStepSeconds : stepSeconds;
        if (step is < 1 or > 600)
        {
            throw new RequestRejectedException(Rejection.InvalidArgument, $"step_seconds: {stepSeconds} is out of range (1 to 600; 0 = {DefaultStepSeconds})");
        }
        if (models.ActiveVersion(ModelInputKind.Eeg) is null)
        {
            throw new NoModelLoadedException(ModelInputKind.Eeg);
        }
        ChunkedRecording recording;
        try
        {
            recording = ChunkedRecording.Open(file);
        }
        catch (EegDataException e)
        {
            throw new RequestRejectedException(Rejection.InvalidArgument, e.Message.Replace(file, shownName, StringComparison.Ordinal));
        }
        using (recording)
        {
            if (recording.DurationSeconds < Eeg.Windows.EegWindow.Seconds)
            {
                throw new RequestRejectedException(Rejection.InvalidArgument,
                    $"{shownName}: {recording.DurationSeconds:0.#} s long; a report needs at least one 50-s window");
            }
            string? version = null;
            var read = 0.0;
            IReadOnlyList<SegmentScore> segments;
            // Windows as the EEG model active now reads them (a newer one that pools otherwise refuses them, failing the report).
            var pooling = models.ActivePooling(ModelInputKind.Eeg);
            try
            {
                segments = await RecordingScorer.ScoreAsync(recording,
                    async (inputs, count, token) =>
                    {
                        var scored = await batcher.ScoreManyAsync(ModelInputKind.Eeg, inputs, count, pooling, token);
                        version ??= scored[0].ModelVersion;
                        return [.. scored.Select(s => s.Probabilities)];
                    },
                    step, seconds => Volatile.Write(ref read, seconds), ct,
                    async added =>
                    {
                        await sink.ProgressAsync(Volatile.Read(ref read), recording.DurationSeconds);
                        await sink.SegmentsAsync(added);
                    },
                    pooling);
            }
            catch (EegDataException e)
            {
                throw new RequestRejectedException(Rejection.InvalidArgument, e.Message.Replace(file, shownName, StringComparison.Ordinal));
            }
            await sink.ProgressAsync(recording.DurationSeconds, recording.DurationSeconds);
            var report = ReportFiles.Build(recording, version ?? "", step, RecordingAnalysis.Of(segments), null, null);
            report["recording"]!["file"] = shownName;
            await sink.SummaryAsync(ReportFiles.ToText(report), version ?? "");
        }
    }
}
