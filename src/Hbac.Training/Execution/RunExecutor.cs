using Hbac.Learning.Training;
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
    public async Task ExecuteAsync(TrainingRun run, CancellationToken stopping)
    {
        if (!run.TryStart())
        {
            return; // cancelled while it waited
        }
        LogRunning(run.Id, run.Plan.Model, run.Plan.Profile, run.Plan.DataFolderName);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(run.CancellationToken, stopping);
        var token = cancellation.Token;
        var workFolder = publisher.WorkFolder(run.Id);
        try
        {
            var progress = new RunProgressRecorder(run, options.Value.StepEventInterval, metrics, logger);
            // The trainer's loop is CPU-bound between its awaits: keep it off the worker's caller.
            var result = await Task.Run(async () =>
            {
                var data = dataLoader.Open(run.Plan.DataFolder);
                return await Trainer.RunAsync(data, run.Plan.Options, workFolder, progress, token);
            }, token);
            token.ThrowIfCancellationRequested();
            var version = publisher.Publish(result, run.Id, time.GetUtcNow());
            // Published: from here on the run succeeds whatever happens (announcing is best effort and bounded).
            await publisher.AnnounceAsync(version, CancellationToken.None);
            run.Finish(RunStatus.Succeeded, version, null);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            var reason = run.CancellationToken.IsCancellationRequested ? null : "the training service stopped";
            run.Finish(RunStatus.Cancelled, null, reason);
            LogCancelled(run.Id, reason ?? "cancelled by a client");
        }
        catch (Exception e)
        {
            var error = OneLine(e);
            run.Finish(RunStatus.Failed, null, error);
            LogFailed(run.Id, error, e);
        }
        finally
        {
            DeleteWorkFolder(workFolder);
        }
    }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} running: {Model}, profile {Profile}, data '{DataFolder}'")]
    private partial void LogRunning(string runId, string model, string profile, string dataFolder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} cancelled: {Reason}")]
    private partial void LogCancelled(string runId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} failed: {Error}")]
    private partial void LogFailed(string runId, string error, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Work folder {Folder} could not be deleted: {Reason}")]
    private partial void LogCleanupFailed(string folder, string reason);
}
