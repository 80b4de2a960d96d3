using System.Globalization;
using Hbac.Eeg;
using Hbac.Learning.Models;
using Hbac.Learning.Training;
using Hbac.Onnx;
using Hbac.Training.Extensions;
using HbacAspire.ServiceDefaults.Requests;
using Microsoft.Extensions.Options;

namespace Hbac.Training.Runs;

/// <summary>
/// Turns a <see cref="RunRequest"/> into a <see cref="RunPlan"/>: checks the model, profile and every
/// override (messages name the request field, e.g. <c>hyper_parameters.epochs</c>), merges them with
/// the input kind's profile, and resolves the data folder under the data root.
/// </summary>
public sealed class RunPlanner(DataRoot root, IOptions<TrainingServiceOptions> options)
{
    public const string DefaultProfile = "quick";
    public const string HyperParameters = "hyper_parameters";

    public RunPlan Plan(RunRequest request)
    {
        var model = request.Model?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(model))
        {
            throw Invalid("model: required (MODEL_ARCHITECTURE_MOBILENET_V3_LARGE or MODEL_ARCHITECTURE_EFFICIENTNET_V2_B2)");
        }
        if (!ModelCatalog.Names.Contains(model))
        {
            throw Invalid($"model: unknown model '{StatusDetail.Echo(request.Model)}' (known: {string.Join(", ", ModelCatalog.Names)})");
        }
        var profile = string.IsNullOrWhiteSpace(request.Profile) ? DefaultProfile : request.Profile.Trim().ToLowerInvariant();
        if (!TrainingProfiles.Names.Contains(profile))
        {
            throw Invalid($"profile: unknown profile '{StatusDetail.Echo(request.Profile)}' (known: {string.Join(", ", TrainingProfiles.Names)})");
        }
        CheckOverrides(request.Overrides);
        var planned = request.Overrides.ApplyTo(TrainingProfiles.Create(profile, model, request.Kind));
        // The service's setting wins; left at 0, the profile's (quick runs use 1 thread), at most every core.
        var training = planned with { Threads = options.Value.Threads > 0 ? options.Value.Threads : Math.Min(planned.Threads, options.Value.EffectiveCores) };
        if (training.Fold >= training.FoldCount)
        {
            throw Invalid($"{HyperParameters}.validation_fold: {training.Fold} is out of range 0..{training.FoldCount - 1}");
        }
        try
        {
            training.Validate();
        }
        catch (EegDataException e)
        {
            throw Invalid($"{HyperParameters}: {e.Message}");
        }

        var requested = string.IsNullOrWhiteSpace(request.DataFolder) ? options.Value.DefaultDataFolder : request.DataFolder;
        var folder = root.ResolveDirectory(string.IsNullOrWhiteSpace(requested) ? "." : requested, "data_folder");
        var name = root.Relative(folder);
        var inputs = InputFolder(request.Kind);
        RequireInside(folder, name, KaggleTrainingData.LabelsFile, request.Kind, File.Exists, relative => root.ResolveFile(relative, "data_folder"));
        RequireInside(folder, name, inputs, request.Kind, Directory.Exists, relative => root.ResolveDirectory(relative, "data_folder"));
        return new RunPlan(model, profile, training, folder, name, request.Description ?? "", request.Kind);
    }

    /// <summary>The folder of the kind's inputs: spectrogram runs read train_spectrograms/, EEG runs the raw EEG of train_eegs/.</summary>
    public static string InputFolder(ModelInputKind kind) => kind switch
    {
        ModelInputKind.Spectrogram => KaggleTrainingData.SpectrogramFolder,
        ModelInputKind.Eeg => KaggleTrainingData.EegFolder,
        _ => throw Invalid($"input_kind: unknown kind {kind}"),
    };

    /// <summary>
    /// The folder's train.csv or input folder (train_spectrograms/ or train_eegs/) must exist
    /// (FailedPrecondition) and, like the folder itself, stay inside the data root (a symlink out is InvalidArgument).
    /// </summary>
    private void RequireInside(string folder, string name, string entry, ModelInputKind kind, Func<string, bool> exists, Action<string> resolve)
    {
        var path = Path.Combine(folder, entry);
        if (!exists(path))
        {
            throw new RequestRejectedException(Rejection.FailedPrecondition,
                $"data_folder: '{StatusDetail.Echo(name)}' has no {entry} (a Kaggle-format folder needs {KaggleTrainingData.LabelsFile}, and {InputFolder(kind)}/ for {(kind == ModelInputKind.Eeg ? "an EEG" : "a spectrogram")} run)");
        }
        resolve(root.Relative(path));
    }

    private static void CheckOverrides(TrainingOverrides o)
    {
        Require(o.Epochs is null or >= 1, "epochs", o.Epochs, "must be at least 1");
        Require(o.Epochs is null or <= 10_000, "epochs", o.Epochs, "must be at most 10000");
        Require(o.BatchSize is null or >= 1, "batch_size", o.BatchSize, "must be at least 1");
        Require(o.BatchSize is null or <= 4096, "batch_size", o.BatchSize, "must be at most 4096");
        Require(o.PeakLearningRate is null || (double.IsFinite(o.PeakLearningRate.Value) && o.PeakLearningRate > 0),
            "learning_rate", o.PeakLearningRate, "must be a finite number > 0");
        Require(o.WeightDecay is null || (double.IsFinite(o.WeightDecay.Value) && o.WeightDecay >= 0),
            "weight_decay", o.WeightDecay, "must be a finite number >= 0");
        Require(o.Fold is null or >= 0, "validation_fold", o.Fold, "must be >= 0");
        Require(o.MaxTrainWindows is null or >= 1, "max_train_windows", o.MaxTrainWindows, "must be at least 1");
        Require(o.MaxValidationWindows is null or >= 1, "max_validation_windows", o.MaxValidationWindows, "must be at least 1");
        Require(o.FineTuneEpochs is null or >= 0, "fine_tune_epochs", o.FineTuneEpochs, "must be at least 0");
        Require(o.FineTuneEpochs is null or <= 10_000, "fine_tune_epochs", o.FineTuneEpochs, "must be at most 10000");
        Require(o.FineTuneMinVotes is null or >= 1, "fine_tune_min_votes", o.FineTuneMinVotes, "must be at least 1");
    }

    private static void Require<T>(bool ok, string field, T? value, string rule)
    {
        if (!ok)
        {
            throw Invalid(string.Create(CultureInfo.InvariantCulture, $"{HyperParameters}.{field}: {value} {rule}"));
        }
    }

    private static RequestRejectedException Invalid(string message) => new(Rejection.InvalidArgument, message);
}
