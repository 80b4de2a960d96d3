using System.Globalization;
using Hbac.Caching;
using Hbac.Learning.Training;
using Hbac.Onnx;
using Hbac.Training.Extensions;
using Microsoft.Extensions.Options;

namespace Hbac.Training.Publishing;

/// <summary>
/// Writes models into the repository the inference service serves from (<c>&lt;version&gt;/model.onnx + card.json</c>).
/// A run trains inside a hidden work folder of the repository (<see cref="WorkFolder"/>: a leading '.' and
/// a ".tmp" suffix, names the inference watcher skips); publishing renames that folder to the version
/// name in one step, so a watcher never sees a half-written version. Then the version is announced on
/// Redis; when Redis is down the watcher's folder poll finds it instead.
/// </summary>
public sealed partial class ModelPublisher(IOptions<TrainingServiceOptions> options, IModelAnnouncements announcements, ILogger<ModelPublisher> logger)
{
    /// <summary>"yyyyMMdd-HHmmss": version names start with their UTC creation time, so ordinal order is age order.</summary>
    public const string TimestampFormat = "yyyyMMdd-HHmmss";

    public string Root { get; } = CreateRoot(options.Value.ModelRepository);

    /// <summary>Where a run writes its run folder until it is published (or deleted).</summary>
    public string WorkFolder(string runId) => Path.Combine(Root, $".run-{runId}.tmp");

    /// <summary>
    /// Makes a finished run folder a version: stamps the run id into card.json, drops the training
    /// checkpoint, and renames the folder to a version name that sorts after every existing version.
    /// </summary>
    public string Publish(TrainingResult result, string runId, DateTimeOffset now)
    {
        var card = result.Card with { TrainingRunId = runId };
        card.Save(result.CardPath);
        // best.dat is the TorchSharp checkpoint model.onnx was exported from; inference has no use for it.
        File.Delete(result.CheckpointPath);
        for (var attempt = 0; ; attempt++)
        {
            var version = NextVersion(card.Model, card.Input, now);
            try
            {
                Directory.Move(result.RunFolder, Path.Combine(Root, version));
                LogPublished(card.Input.Name(), version, runId, card.BestValidationLoss);
                return version;
            }
            catch (IOException) when (attempt < 3 && Directory.Exists(Path.Combine(Root, version)))
            {
                // Another writer took the name between the scan and the rename: pick the next one.
            }
        }
    }

    /// <summary>Announces <paramref name="version"/> on Redis; never fails the run (the inference watcher also polls the folder).</summary>
    public async Task AnnounceAsync(string version, CancellationToken cancellationToken)
    {
        try
        {
            var reached = await announcements.PublishAsync(version, cancellationToken);
            if (reached is null)
            {
                LogNotAnnounced(version, "Redis is unreachable");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogNotAnnounced(version, e.Message);
        }
    }

    /// <summary>
    /// "&lt;UTC time&gt;-&lt;model&gt;" for a spectrogram model, "&lt;UTC time&gt;-&lt;model&gt;-eeg" for an EEG-window
    /// one (the kind itself is in card.json and the ONNX metadata; the suffix is for people reading listings), moved a second past the newest existing version when that one is not older
    /// (two runs in one second, or a clock behind the repository's newest), so the new version is served.
    /// </summary>
    public string NextVersion(string model, ModelInputKind kind, DateTimeOffset now)
    {
        var newest = Directory.EnumerateDirectories(Root)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(ModelRepositoryLayout.IsVersionName)
            .Max(StringComparer.Ordinal);
        var time = now.UtcDateTime;
        var candidate = Name(time, model, kind);
        if (newest is not null && string.CompareOrdinal(newest, candidate) >= 0)
        {
            if (newest.Length >= TimestampFormat.Length
                && DateTime.TryParseExact(newest[..TimestampFormat.Length], TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var latest))
            {
                candidate = Name(latest.AddSeconds(1), model, kind);
            }
            else
            {
                LogCannotBeNewest(candidate, newest);
            }
        }
        return candidate;
    }

    private static string Name(DateTime utc, string model, ModelInputKind kind) =>
        utc.ToString(TimestampFormat, CultureInfo.InvariantCulture) + "-" + model + (kind == ModelInputKind.Eeg ? "-eeg" : "");

    private static string CreateRoot(string repository)
    {
        var root = Path.GetFullPath(repository);
        Directory.CreateDirectory(root);
        return root;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {InputKind} model {Version} from run {RunId} (validation loss {ValidationLoss:F4})")]
    private partial void LogPublished(string inputKind, string version, string runId, double validationLoss);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Version} not announced ({Reason}); the inference service finds it on its next repository scan")]
    private partial void LogNotAnnounced(string version, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Version} does not sort after the repository's newest version {Newest}; inference will keep serving that one")]
    private partial void LogCannotBeNewest(string version, string newest);
}
