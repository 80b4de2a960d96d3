using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Grpc.Core;
using Grpc.Net.Client;
using Hbac.Contracts.Security;
using Hbac.Contracts.V1;
using Hbac.Eeg.Synthetic;

namespace HbacAspire.AppHost.Jobs;

/// <summary>
/// The AppHost's built-in job: the whole product path once, through the services' own APIs. It
/// generates the synthetic dataset (unless <c>--data</c> names a Kaggle folder), converts it with the
/// preprocessing service (which fills the Redis cache the spectrogram run then reads), trains the
/// quick profile of each input kind with the training service - the spectrogram model (Score), then
/// the EEG-window model (StreamEeg) on the same folder - and waits until the inference service serves
/// both. Every step reports a line; a failed step ends the job with one line saying why
/// (<see cref="JobFailedException"/>), and the stack keeps running.
/// </summary>
public sealed class DefaultJob(
    AppHostOptions options,
    string preprocessing = "preprocessing",
    string training = "training",
    string inference = "inference") : IDisposable
{
    private readonly ConcurrentDictionary<Uri, GrpcChannel> _channels = new();
    private string? _apiKey;

    /// <summary>The synthetic dataset's folder under the generated-data root (<c>--home</c>/data).</summary>
    public const string SyntheticFolder = "synthetic";

    public const string Profile = "quick";

    public const ModelArchitecture Architecture = ModelArchitecture.MobilenetV3Large;

    /// <summary>How long the inference service may take to serve a published version before the job says so.</summary>
    public static readonly TimeSpan ServeTimeout = TimeSpan.FromMinutes(2);

    private const int Attempts = 3;

    /// <summary>
    /// Runs the job in <paramref name="mode"/> for <paramref name="kinds"/> (default: both, see
    /// <see cref="ServedModels.Kinds"/>); returns what it did in one line, e.g. "inference serves
    /// spectrogram model X and EEG model Y". <see cref="DefaultJobMode.Auto"/> trains only the kinds
    /// inference does not serve yet. Throws <see cref="JobFailedException"/> naming the failed step and the service's message.
    /// </summary>
    public async Task<string> RunAsync(IJobEnvironment context, DefaultJobMode mode, CancellationToken stopping,
        IReadOnlyList<ModelInputKind>? kinds = null)
    {
        if (mode == DefaultJobMode.None)
        {
            context.Report("--job none: serving what the model repository holds");
            return "not run (--job none)";
        }
        kinds = ServedModels.Kinds.Where((kinds ?? ServedModels.Kinds).Contains).ToList();
        _apiKey = await context.ApiKeyAsync(stopping);
        await context.WaitUntilHealthyAsync(inference, stopping);
        var served = await ServedAsync(context, stopping);
        var missing = kinds.Where(k => served.Of(k).Length == 0).ToList();
        var toTrain = mode == DefaultJobMode.Auto ? missing : kinds;
        if (toTrain.Count == 0)
        {
            context.Report($"the repository already holds {served.Describe()}; not training (--job train trains new ones)");
            return $"not needed: {inference} serves {served.Describe()}";
        }
        if (toTrain.Count < kinds.Count)
        {
            context.Report($"{inference} serves {served.Describe()}; training only the {string.Join(" and ", toTrain.Select(ServedModels.Label))} model");
        }
        var folder = options.Data is null ? await GenerateAsync(context, stopping) : ".";
        if (toTrain.Contains(ModelInputKind.Spectrogram))
        {
            // Only the spectrogram run reads the Redis cache that prepare fills; an EEG run reads train_eegs/ itself.
            await context.WaitUntilHealthyAsync(preprocessing, stopping);
            await PrepareAsync(context, folder, stopping);
        }
        await context.WaitUntilHealthyAsync(training, stopping);
        await context.SetStateAsync($"Training {string.Join(" and ", toTrain.Select(ServedModels.Label))}");
        // Started in order, then followed side by side: the training service trains them at once when the
        // cores allow (two one-thread quick runs on 2 cores) and queues them otherwise. Each model is
        // waited for until inference serves it; the first failure ends the job and cancels the other run.
        var runs = new List<StartedRun>();
        foreach (var kind in toTrain)
        {
            runs.Add(new StartedRun(kind, await StartRunAsync(context, folder, kind, stopping)));
        }
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var firstFailure = new StrongBox<Exception?>();
        var following = runs.Select(run => FollowAndServeAsync(context, folder, run, failed, firstFailure)).ToList();
        try
        {
            await Task.WhenAll(following);
        }
        catch when (firstFailure.Value is { } cause && !stopping.IsCancellationRequested)
        {
            await CancelUnfinishedAsync(context, runs);
            // The other run ends with whatever its cancelled calls threw: the cause is the first failure.
            ExceptionDispatchInfo.Throw(cause);
        }
        served = await ServedAsync(context, stopping);
        return $"{inference} serves {served.Describe()}";
    }

    /// <summary>A run the job started: its kind, its current id (a lost run is started again under a new one), and whether it has ended (published, failed or lost).</summary>
    private sealed class StartedRun(ModelInputKind kind, string runId)
    {
        public ModelInputKind Kind { get; } = kind;
        public string RunId { get; set; } = runId;
        public bool Ended { get; set; }
    }

    /// <summary>Follows one run to its model (starting it again when the service lost it) and waits until inference serves that model.</summary>
    private async Task FollowAndServeAsync(IJobEnvironment context, string folder, StartedRun run, CancellationTokenSource failed, StrongBox<Exception?> firstFailure)
    {
        try
        {
            string version;
            try
            {
                version = await FollowToModelAsync(context, folder, run, failed.Token);
            }
            catch (JobFailedException)
            {
                run.Ended = true; // it failed, was cancelled or was lost: nothing left to cancel
                throw;
            }
            run.Ended = true;
            // Served as soon as it is published: a refused model ends the job now, not after the other run.
            await WaitUntilServedAsync(context, new Dictionary<ModelInputKind, string> { [run.Kind] = version }, failed.Token);
        }
        catch (Exception exception) when (!failed.IsCancellationRequested)
        {
            Interlocked.CompareExchange(ref firstFailure.Value, exception, null);
            await failed.CancelAsync();
            throw;
        }
    }

    /// <summary>Cancels the job's runs that have not ended (best effort, bounded): nobody waits for their models any more.</summary>
    private async Task CancelUnfinishedAsync(IJobEnvironment context, IEnumerable<StartedRun> runs)
    {
        foreach (var run in runs.Where(r => !r.Ended))
        {
            try
            {
                await new Training.TrainingClient(Channel(context, training)).CancelRunAsync(
                    new CancelRunRequest { RunId = run.RunId }, deadline: DateTime.UtcNow.AddSeconds(10));
                context.Report($"cancelled run {run.RunId} ({ServedModels.Label(run.Kind)} model): the job has failed");
            }
            catch (RpcException exception)
            {
                context.Report($"could not cancel run {run.RunId}: {exception.StatusCode}");
            }
        }
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
    }

    private Task<ServedModels> ServedAsync(IJobEnvironment context, CancellationToken stopping) =>
        CallAsync(context, inference, "list the models",
            async ct => ServedModels.From(await new Inference.InferenceClient(Channel(context, inference))
                .ListModelsAsync(new ListModelsRequest(), cancellationToken: ct).ResponseAsync),
            stopping);

    /// <summary>Writes the synthetic dataset under the data root, or reuses a finished one; returns its folder relative to the root.</summary>
    private async Task<string> GenerateAsync(IJobEnvironment context, CancellationToken stopping)
    {
        var synthetic = new SyntheticOptions
        {
            OutputFolder = Path.Combine(options.GeneratedDataDirectory, SyntheticFolder),
            Patients = options.SyntheticPatients,
        };
        if (SyntheticDataset.IsComplete(synthetic.OutputFolder, synthetic))
        {
            context.Report($"reusing the synthetic dataset in {synthetic.OutputFolder}");
            return SyntheticFolder;
        }
        context.Report($"generating the synthetic dataset ({synthetic.Patients} patients) in {synthetic.OutputFolder}");
        var progress = new Milestones(percent => context.Report($"generating the synthetic dataset: {percent} %"));
        try
        {
            var summary = await Task.Run(
                () => SyntheticDataset.Generate(synthetic, progress.For<SyntheticProgress>(p => (p.CompletedRecordings, p.TotalRecordings)), stopping),
                stopping);
            context.Report($"generated {summary.TrainRows} labelled windows over {summary.TrainSpectrograms} spectrograms " +
                $"(best achievable KL {summary.BestAchievableTrainKl:F3}, class prior {summary.ClassPriorTrainKl:F3})");
        }
        catch (Hbac.Eeg.EegDataException exception)
        {
            throw new JobFailedException($"generating the synthetic dataset: {exception.Message}");
        }
        return SyntheticFolder;
    }

    /// <summary>
    /// Prepares <paramref name="folder"/> with as many concurrent PrepareDataset calls as the preprocessing
    /// service has replicas, each on its own channel: the proxy in front of replicas picks one per TCP
    /// connection, so the calls spread over them, and their per-file claims in Redis share the files out.
    /// Every call reports the whole dataset; the job shows the furthest of them.
    /// </summary>
    private async Task PrepareAsync(IJobEnvironment context, string folder, CancellationToken stopping)
    {
        var calls = Math.Max(1, context.Replicas(preprocessing));
        context.Report(calls == 1
            ? $"preparing '{folder}' with the {preprocessing} service"
            : $"preparing '{folder}' with {calls} concurrent calls to the {calls} {preprocessing} replicas");
        var progress = new Milestones(percent => context.Report($"preparing: {percent} %"));
        var done = new int[calls];
        var results = await Task.WhenAll(Enumerable.Range(0, calls).Select(index => CallAsync(context, preprocessing, "prepare the dataset", async ct =>
        {
            // A channel of its own per call (and per attempt): its own connection, so its own replica behind the proxy.
            using var channel = ApiKeyChannel.ForAddress(context.Endpoint(preprocessing), _apiKey);
            using var call = new Preprocessing.PreprocessingClient(channel).PrepareDataset(new PrepareDatasetRequest { Folder = folder }, cancellationToken: ct);
            await foreach (var update in call.ResponseStream.ReadAllAsync(ct))
            {
                if (update.UpdateCase == PrepareDatasetUpdate.UpdateOneofCase.Progress)
                {
                    int furthest;
                    lock (done)
                    {
                        done[index] = Math.Max(done[index], update.Progress.FilesDone);
                        furthest = done.Max();
                    }
                    progress.Report(furthest, update.Progress.FilesTotal);
                }
                else if (update.UpdateCase == PrepareDatasetUpdate.UpdateOneofCase.Result)
                {
                    return update.Result;
                }
            }
            throw new JobFailedException($"the {preprocessing} service ended PrepareDataset without a result");
        }, stopping)));
        var errors = results.SelectMany(r => r.Errors).DistinctBy(e => e.File).ToList();
        var seconds = results.Max(r => r.Elapsed?.ToTimeSpan().TotalSeconds ?? 0);
        if (calls == 1)
        {
            var result = results[0];
            context.Report($"prepared: {result.FilesConverted} converted, {result.CacheHits} already cached, {result.FilesFailed} failed in {seconds:F1} s");
        }
        else
        {
            // Each file is converted by one call; what none converted and none failed on was cached before.
            var converted = results.Sum(r => r.FilesConverted);
            var total = results.Max(r => r.FilesTotal);
            context.Report($"prepared by {calls} calls: {converted} converted, {Math.Max(0, total - converted - errors.Count)} already cached, " +
                $"{errors.Count} failed in {seconds:F1} s (converted per call: {string.Join(", ", results.Select(r => r.FilesConverted))}; " +
                $"{results.Count(r => r.Complete)} of {calls} report the dataset complete)");
        }
        foreach (var error in errors.Take(5))
        {
            context.Report($"  {error.File}: {error.Message}");
        }
    }

    /// <summary>Starts the quick run of <paramref name="kind"/>; its id.</summary>
    private async Task<string> StartRunAsync(IJobEnvironment context, string folder, ModelInputKind kind, CancellationToken stopping)
    {
        var label = ServedModels.Label(kind);
        var run = await CallAsync(context, training, $"start the {label} training run",
            ct => new Training.TrainingClient(Channel(context, training)).StartRunAsync(new StartRunRequest
            {
                Model = Architecture,
                Profile = Profile,
                DataFolder = folder,
                InputKind = kind,
                Description = $"AppHost default job: {label} model",
            }, cancellationToken: ct).ResponseAsync,
            stopping);
        var fineTune = run.HyperParameters?.FineTuneEpochs ?? 0;
        context.Report($"training run {run.RunId}: {label} model, {Profile} profile, " +
            (fineTune > 0 ? $"{run.Epochs - fineTune} + {fineTune} epochs" : $"{run.Epochs} epochs"));
        return run.RunId;
    }

    /// <summary>Follows <paramref name="run"/> until it publishes, starting it again when the training service lost it; the published version.</summary>
    private async Task<string> FollowToModelAsync(IJobEnvironment context, string folder, StartedRun run, CancellationToken stopping)
    {
        var label = ServedModels.Label(run.Kind);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await FollowAsync(context, run.RunId, label, stopping);
            }
            catch (RpcException exception) when (!stopping.IsCancellationRequested && (IsTransient(exception.StatusCode) || exception.StatusCode == StatusCode.NotFound))
            {
                // The training service restarted (runs live in its memory): start the run again.
                if (attempt >= Attempts)
                {
                    throw new JobFailedException($"the {training} service lost run {run.RunId} {Attempts} times ({exception.StatusCode})");
                }
                context.Report($"the {training} service lost run {run.RunId} ({exception.StatusCode}); starting it again");
                await Task.Delay(TimeSpan.FromSeconds(1), stopping);
                await context.WaitUntilHealthyAsync(training, stopping);
                run.RunId = await StartRunAsync(context, folder, run.Kind, stopping);
            }
            catch (RpcException exception) when (!stopping.IsCancellationRequested)
            {
                throw new JobFailedException($"could not follow run {run.RunId}: {exception.StatusCode}: {exception.Status.Detail}");
            }
        }
    }

    private async Task<string> FollowAsync(IJobEnvironment context, string runId, string label, CancellationToken stopping)
    {
        var client = new Training.TrainingClient(Channel(context, training));
        using var call = client.WatchRun(new WatchRunRequest { RunId = runId, Replay = true }, cancellationToken: stopping);
        var firstStageEpochs = int.MaxValue;
        await foreach (var runEvent in call.ResponseStream.ReadAllAsync(stopping))
        {
            switch (runEvent.EventCase)
            {
                case RunEvent.EventOneofCase.Started:
                    var started = runEvent.Started;
                    firstStageEpochs = started.Epochs - started.FineTuneEpochs;
                    context.Report($"{label} training on {started.Device}: {started.TrainSamples} train / {started.ValidationSamples} validation windows, " +
                        $"{started.Epochs - started.FineTuneEpochs} epochs of {started.StepsPerEpoch} steps" +
                        (started.FineTuneEpochs > 0
                            ? $", then {started.FineTuneEpochs} of {started.FineTuneStepsPerEpoch} on the {started.FineTuneSamples} windows with the most votes"
                            : ""));
                    break;
                case RunEvent.EventOneofCase.Epoch:
                    var epoch = runEvent.Epoch;
                    var stage = epoch.Epoch > firstStageEpochs ? " (second stage)" : "";
                    context.Report($"{label} epoch {epoch.Epoch}/{epoch.Epochs}{stage}: train loss {epoch.TrainLoss:F4}, validation KL {epoch.ValidationLoss:F4}, " +
                        $"{epoch.SamplesPerSecond:F1} windows/s, ETA {Format(epoch.Eta?.ToTimeSpan())}");
                    break;
                case RunEvent.EventOneofCase.Finished:
                    var finished = runEvent.Finished;
                    if (finished.State == RunState.Succeeded)
                    {
                        context.Report($"run {runId} published {label} model {finished.ModelVersion} (best validation KL {finished.BestValidationLoss:F4}) " +
                            $"after {Format(finished.Elapsed?.ToTimeSpan())}");
                        return finished.ModelVersion;
                    }
                    throw new JobFailedException(finished.State == RunState.Cancelled
                        ? $"{label} run {runId} was cancelled"
                        : $"{label} run {runId} failed: {finished.Error}");
            }
        }
        throw new RpcException(new Status(StatusCode.Unavailable, $"WatchRun of {runId} ended before the run finished"));
    }

    /// <summary>Polls ListModels until each kind in <paramref name="published"/> is served at its version; what inference then serves.</summary>
    private async Task<ServedModels> WaitUntilServedAsync(IJobEnvironment context, IReadOnlyDictionary<ModelInputKind, string> published, CancellationToken stopping)
    {
        var deadline = DateTime.UtcNow + ServeTimeout;
        while (true)
        {
            var models = await CallAsync(context, inference, "list the models",
                ct => new Inference.InferenceClient(Channel(context, inference)).ListModelsAsync(new ListModelsRequest(), cancellationToken: ct).ResponseAsync,
                stopping);
            var served = ServedModels.From(models);
            var waiting = published.Where(p => served.Of(p.Key) != p.Value).ToList();
            if (waiting.Count == 0)
            {
                return served;
            }
            foreach (var (kind, version) in waiting)
            {
                if (models.Models.FirstOrDefault(m => m.Version == version) is { Valid: false } refused)
                {
                    throw new JobFailedException($"{inference} refused {ServedModels.Label(kind)} model {version}: {refused.InvalidReason}");
                }
            }
            if (DateTime.UtcNow > deadline)
            {
                var (kind, version) = waiting[0];
                throw new JobFailedException($"{inference} did not serve {ServedModels.Label(kind)} model {version} within {ServeTimeout.TotalMinutes:F0} min " +
                    $"(it serves {served.Describe()})");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), stopping);
        }
    }

    /// <summary>
    /// One call to a service, tried again when the service is restarting (the AppHost brings it back);
    /// any other gRPC error ends the job with the service's own message.
    /// </summary>
    private static async Task<T> CallAsync<T>(
        IJobEnvironment context, string resource, string what, Func<CancellationToken, Task<T>> call, CancellationToken stopping)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call(stopping);
            }
            catch (RpcException exception) when (IsTransient(exception.StatusCode) && attempt < Attempts && !stopping.IsCancellationRequested)
            {
                context.Report($"could not {what} ({exception.StatusCode}: {exception.Status.Detail}); trying again once {resource} is healthy");
                await Task.Delay(TimeSpan.FromSeconds(1), stopping);
                await context.WaitUntilHealthyAsync(resource, stopping);
            }
            catch (RpcException exception) when (!stopping.IsCancellationRequested)
            {
                throw new JobFailedException($"could not {what}: {exception.StatusCode}: {exception.Status.Detail}");
            }
        }
    }

    private static bool IsTransient(StatusCode code) => code is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown;

    private GrpcChannel Channel(IJobEnvironment context, string resource) =>
        _channels.GetOrAdd(context.Endpoint(resource), address => ApiKeyChannel.ForAddress(address, _apiKey));

    private static string Format(TimeSpan? span) => span is { } s ? $"{(int)s.TotalMinutes}:{s.Seconds:00}" : "?";


    /// <summary>Reports progress at 25 % steps, not at every file; reports may come from several threads.</summary>
    private sealed class Milestones(Action<int> report)
    {
        private readonly Lock _gate = new();
        private int _next = 25;

        public void Report(int done, int total)
        {
            if (total <= 0)
            {
                return;
            }
            var percent = (int)(100L * done / total);
            lock (_gate)
            {
                if (percent < _next || percent >= 100)
                {
                    return;
                }
                _next = (percent / 25 + 1) * 25;
            }
            report(percent / 25 * 25);
        }

        /// <summary>An <see cref="IProgress{T}"/> that reports synchronously on the caller's thread.</summary>
        public IProgress<T> For<T>(Func<T, (int Done, int Total)> count) => new Synchronous<T>(value =>
        {
            var (done, total) = count(value);
            Report(done, total);
        });

        private sealed class Synchronous<T>(Action<T> action) : IProgress<T>
        {
            public void Report(T value) => action(value);
        }
    }
}
