using System.Globalization;
using Hbac.Eeg;
using Hbac.Learning.Models;
using Hbac.Learning.Training;
using Hbac.Training.Extensions;
using HbacAspire.ServiceDefaults.Requests;
using Microsoft.Extensions.Options;

namespace Hbac.Training.Runs;

/// <summary>
/// Turns a <see cref="RunRequest"/> into a <see cref="RunPlan"/>: checks the model, profile and every
/// override (messages name the request field, e.g. <c>hyper_parameters.epochs</c>), merges them with
/// the profile, and resolves the data folder under the data root.
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
            throw Invalid($"model: unknown model '{request.Model}' (known: {string.Join(", ", ModelCatalog.Names)})");
        }
        var profile = string.IsNullOrWhiteSpace(request.Profile) ? DefaultProfile : request.Profile.Trim().ToLowerInvariant();
        if (!TrainingProfiles.Names.Contains(profile))
        {
            throw Invalid($"profile: unknown profile '{request.Profile}' (known: {string.Join(", ", TrainingProfiles.Names)})");
        }
        CheckOverrides(request.Overrides);
        var training = request.Overrides.ApplyTo(TrainingProfiles.Create(profile, model)) with { Threads = options.Value.EffectiveThreads };
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
        if (!File.Exists(Path.Combine(folder, KaggleTrainingData.LabelsFile)))
        {
            throw new RequestRejectedException(Rejection.FailedPrecondition,
                $"data_folder: '{name}' has no {KaggleTrainingData.LabelsFile} (a Kaggle-format folder needs train.csv and train_spectrograms/)");
        }
        return new RunPlan(model, profile, training, folder, name, request.Description ?? "");
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
