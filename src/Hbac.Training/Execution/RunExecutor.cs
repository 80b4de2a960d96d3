using System.Diagnostics;
using Hbac.Learning.Quantization;
using Hbac.Learning.Training;
using Hbac.Onnx;
using Hbac.Training.Extensions;
using Hbac.Training.Publishing;
using Hbac.Training.Runs;
using Microsoft.Extensions.Options;

namespace Hbac.Training.Execution;

/// <summary>
/// Executes one run: opens its data, trains it in the repository's hidden work folder, publishes the
/// model on success, and gives the run its final state. Never throws for a run that fails: the error
/// becomes the run's one-line error.
/// </summary>
public sealed partial class RunExecutor(
    TrainingDataLoader dataLoader,
    ModelPublisher publisher,
    TrainingMetrics metrics,
    IOptions<TrainingServiceOptions> options,
    TimeProvider time,
    ILogger<RunExecutor> logger)
{
    /// <summary>The training service's own spans (exported because the service defaults trace the source named after the application).</summary>
    public const string SourceName = "Hbac.Training";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The run span's tag naming what the model reads ("spectrogram" or "eeg").</summary>
    public const string InputKindTag = "hbac.input_kind";

    public async Task ExecuteAsync(TrainingRun run, CancellationToken stopping)
    {
        if (!run.TryStart())
        {
            return; // cancelled while it waited
        }
        // One span per run, a child of the StartRun request, with the data loading (Redis reads), training and publishing inside.
        using var span = Source.StartActivity("training run", ActivityKind.Internal, run.RequestedIn);
        span?.SetTag("hbac.run_id", run.Id);
        span?.SetTag("hbac.model", run.Plan.Model.ToString());
        span?.SetTag("hbac.profile", run.Plan.Profile);
        span?.SetTag(InputKindTag, run.Plan.Kind.Name());
        LogRunning(run.Id, run.Plan.Kind.Name(), run.Plan.Model, run.Plan.Profile, run.Plan.DataFolderName);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(run.CancellationToken, stopping);
        var token = cancellation.Token;
        var workFolder = publisher.WorkFolder(run.Id);
        try
        {
            var progress = new RunProgressRecorder(run, options.Value.StepEventInterval, metrics, logger);
            // The trainer's loop is CPU-bound between its awaits: keep it off the worker's caller.
            var (result, data) = await Task.Run(async () =>
            {
                TrainingData data;
                using (Source.StartActivity("load training data"))
                {
                    data = dataLoader.Open(run.Plan.DataFolder, run.Plan.Kind);
                }
                using var training = Source.StartActivity("train");
                training?.SetTag("hbac.epochs", run.Plan.Options.TotalEpochs);
                return (await Trainer.RunAsync(data, run.Plan.Options, workFolder, progress, token), data);
            }, token);
            token.ThrowIfCancellationRequested();
            if (options.Value.PublishInt8)
            {
                result = await QuantizeAsync(run, result, data, token);
            }
            string version;
            using (var publishing = Source.StartActivity("publish model"))
            {
                version = publisher.Publish(result, run.Id, time.GetUtcNow());
                publishing?.SetTag("hbac.model_version", version);
                // Published: from here on the run succeeds whatever happens (announcing is best effort and bounded).
                await publisher.AnnounceAsync(version, CancellationToken.None);
            }
            span?.SetTag("hbac.model_version", version);
            run.Finish(RunStatus.Succeeded, version, null);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The work folder goes before the final state: whoever waits for the run finds it gone.
            DeleteWorkFolder(workFolder);
            var reason = run.CancellationToken.IsCancellationRequested ? null : "the training service stopped";
            run.Finish(RunStatus.Cancelled, null, reason);
            LogCancelled(run.Id, reason ?? "cancelled by a client");
        }
        catch (Exception e)
        {
            DeleteWorkFolder(workFolder);
            var error = OneLine(e);
            span?.SetStatus(ActivityStatusCode.Error, error);
            run.Finish(RunStatus.Failed, null, error);
            LogFailed(run.Id, error, e);
        }
    }

    /// <summary>
    /// Quantizes the run's model to int8 into its run folder when the drift gate passes, and records the
    /// outcome in card.json. A refusal or a failure here leaves the fp32 model to be published alone.
    /// </summary>
    private async Task<TrainingResult> QuantizeAsync(TrainingRun run, TrainingResult result, TrainingData data, CancellationToken token)
    {
        using var span = Source.StartActivity("quantize int8");
        try
        {
            var report = await Task.Run(() => ModelQuantization.RunAsync(new QuantizationOptions
            {
                ModelPath = result.OnnxPath,
                DataFolder = data.Folder,
                OutPath = Path.Combine(result.RunFolder, ModelRepositoryLayout.Int8ModelFile),
                Fold = run.Plan.Options.Fold,
                CalibrationWindows = options.Value.Int8CalibrationWindows,
                Threads = run.Plan.Options.Threads,
                TimingBatchSizes = [1],
                TimingBudget = TimeSpan.FromSeconds(1),
            }, data, ct: token), token);
            var summary = Int8Summary.From(report);
            // Only where training validated on the whole fold (a run may validate on a subsample, max_validation_windows).
            if (report.Fp32.Windows == result.Card.Data.ValidationWindows
                && ExportedModelProblem(result.Card.BestValidationKaggleKl, summary.Fp32ValidationKaggleKl) is { } problem)
            {
                // Past the catch below: a model that does not compute what was trained is not published at all.
                throw new ExportedModelMismatchException(problem);
            }
            span?.SetTag("hbac.int8_published", summary.Published);
            if (summary.Published)
            {
                LogInt8Published(run.Id, summary.ValidationKaggleKl, summary.Fp32ValidationKaggleKl, summary.MeanDrift, summary.Int8MsPerWindow, summary.Fp32MsPerWindow);
            }
            else
            {
                LogInt8Refused(run.Id, string.Join("; ", summary.Refusals));
            }
            var card = result.Card with { Int8 = summary };
            card.Save(result.CardPath);
            return result with { Card = card };
        }
        catch (Exception e) when (e is not OperationCanceledException and not ExportedModelMismatchException)
        {
            LogInt8Failed(run.Id, OneLine(e), e);
            return result;
        }
    }

    /// <summary>
    /// Null when the exported model scores the run's validation windows (the whole fold) as training measured them (ONNX Runtime and
    /// libtorch round differently, so within <see cref="ExportTolerance"/>); otherwise why the run must not publish it.
    /// On a CPU whose libtorch channels-last kernels were wrong, a run validated at 0.8206 and its export scored 1.4221.
    /// </summary>
    internal static string? ExportedModelProblem(double trainingKl, double exportedKl) =>
        Math.Abs(exportedKl - trainingKl) <= ExportTolerance
            ? null
            : string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"the exported model.onnx scores fold KL {exportedKl:0.0000} on the validation windows, but training measured {trainingKl:0.0000} for the same weights: it does not compute what was trained, so it is not published");

    internal const double ExportTolerance = 0.005;

    /// <summary>The first line of the innermost meaningful message: what a listing can show.</summary>
    public static string OneLine(Exception exception)
    {
        while (exception is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            exception = aggregate.InnerExceptions[0];
        }
        var line = exception.Message.Split('\n', 2)[0].Trim();
        return string.IsNullOrEmpty(line) ? exception.GetType().Name : line;
    }

    private void DeleteWorkFolder(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogCleanupFailed(folder, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} running: {InputKind} model {Model}, profile {Profile}, data '{DataFolder}'")]
    private partial void LogRunning(string runId, string inputKind, string model, string profile, string dataFolder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: int8 model published beside model.onnx (fold KL {Int8Kl:F4} vs {Fp32Kl:F4}, mean KL(fp32||int8) {Drift:F4}, {Int8Ms:F2} vs {Fp32Ms:F2} ms per window)")]
    private partial void LogInt8Published(string runId, double int8Kl, double fp32Kl, double drift, double int8Ms, double fp32Ms);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: int8 model not published, the drift gate refused it: {Reasons}")]
    private partial void LogInt8Refused(string runId, string reasons);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: int8 quantization failed ({Error}); model.onnx is published alone")]
    private partial void LogInt8Failed(string runId, string error, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} cancelled: {Reason}")]
    private partial void LogCancelled(string runId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} failed: {Error}")]
    private partial void LogFailed(string runId, string error, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Work folder {Folder} could not be deleted: {Reason}")]
    private partial void LogCleanupFailed(string folder, string reason);
}

/// <summary>The exported model scores the validation windows otherwise than training measured: the run fails unpublished.</summary>
internal sealed class ExportedModelMismatchException(string message) : Exception(message);
