using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Hbac.Eeg;
using Hbac.Onnx;

namespace Hbac.Learning.Training;

/// <summary>
/// card.json of a run folder: what was trained, on what, how, and how well. Everything needed to
/// reproduce the run or compare it with another.
/// </summary>
public sealed record ModelCard
{
    public required string Model { get; init; }
    public required long TrainableParameters { get; init; }
    public required long NonTrainableParameters { get; init; }
    public required IReadOnlyList<string> Classes { get; init; }
    /// <summary>Per-sample input shape [3, 400, 300] (the ONNX input is [N, 3, 400, 300]).</summary>
    public required IReadOnlyList<int> InputShape { get; init; }
    /// <summary>What the model reads (the 600-s spectrogram window or the 50-s EEG window).</summary>
    public ModelInputKind Input { get; init; } = ModelInputKind.Spectrogram;
    public required string Normalisation { get; init; }
    /// <summary>The input's preprocessing parameters (montage, band-pass, clipping, FFT, scaling).</summary>
    public IReadOnlyDictionary<string, string> Preprocessing { get; init; } = new Dictionary<string, string>();
    public required TrainingDataSummary Data { get; init; }
    public required string Profile { get; init; }
    public required TrainingOptions HyperParameters { get; init; }
    public required IReadOnlyList<EpochMetrics> Epochs { get; init; }
    public required int BestEpoch { get; init; }
    public required double BestValidationLoss { get; init; }
    public required double BestValidationKaggleKl { get; init; }
    /// <summary>Kaggle KL of predicting the training folds' mean vote distribution for every validation window.</summary>
    public required double ClassPriorValidationKaggleKl { get; init; }
    public required ConfusionMatrix Confusion { get; init; }
    /// <summary>Whether the best epoch's validation probabilities mean what they say, against the votes (null in cards written before it).</summary>
    public ValidationCalibration? Calibration { get; init; }
    /// <summary>
    /// How far <see cref="BestValidationKaggleKl"/> could move with other patients: its 95% interval from resampling the
    /// validation patients (<see cref="Hbac.Eeg.Metrics.GroupBootstrap"/>); null with fewer than 3 of them, and in cards
    /// written before it.
    /// </summary>
    public Hbac.Eeg.Metrics.BootstrapInterval? ValidationKlInterval { get; init; }
    /// <summary>
    /// A channels-last run's largest difference, at the best epoch, between its validation probabilities and NCHW's (what
    /// the exported model computes); above 1e-4 the best-epoch numbers of this card (loss, KL, interval, confusion,
    /// calibration) are NCHW's, while <see cref="Epochs"/> keeps what training saw. Null for an NCHW run and in cards
    /// written before it.
    /// </summary>
    public double? ChannelsLastGap { get; init; }

    /// <summary>Whether the best epoch scored differently channels-last than its export does (see <see cref="ChannelsLastGap"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool ChannelsLastDiffered => ChannelsLastGap is { } gap && GapDiffers(gap);

    /// <summary>A gap above the check's eval-mode tolerance (or NaN) is not rounding.</summary>
    internal static bool GapDiffers(double gap) => !(gap <= Models.ChannelsLastVerdict.EvalTolerance);
    public required string Device { get; init; }
    public required int Threads { get; init; }
    public required double WallTimeSeconds { get; init; }
    public required DateTimeOffset CreatedUtc { get; init; }
    /// <summary>The training service's run id when a service run produced the model (the inference service lists it); null for <c>hbac train</c>.</summary>
    public string? TrainingRunId { get; init; }
    /// <summary>The int8 quantization the training service tried after the run (null when none was tried).</summary>
    public Hbac.Learning.Quantization.Int8Summary? Int8 { get; init; }

    /// <summary>One line for the ONNX metadata and logs.</summary>
    public string Summary() =>
        $"{Model} input={Input.Name()} profile={Profile} epochs={Epochs.Count} best_epoch={BestEpoch} " +
        $"val_loss={BestValidationLoss:F4} val_kl={BestValidationKaggleKl:F4} prior_kl={ClassPriorValidationKaggleKl:F4} " +
        $"labels={HyperParameters.Labels.Name()} fold={HyperParameters.Fold}/{HyperParameters.FoldCount} data={Data.Fingerprint[..12]}";

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    public static ModelCard Load(string path)
    {
        if (!File.Exists(path))
        {
            throw EegDataException.InFile(path, "no card.json (not a run folder?)");
        }
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path));
            // Cards written before stop 31 have no channels_last: those runs convolved NCHW tensors, whatever today's default.
            if (node?["hyper_parameters"] is JsonObject hyperParameters && !hyperParameters.ContainsKey("channels_last"))
            {
                hyperParameters["channels_last"] = false;
            }
            return node.Deserialize<ModelCard>(Json) ?? throw EegDataException.InFile(path, "empty model card");
        }
        catch (JsonException e)
        {
            throw EegDataException.InFile(path, $"not a model card ({e.Message})", e);
        }
    }
}

/// <summary>Which data a run saw: a fingerprint of train.csv and the spectrogram file list, and the split sizes.</summary>
public sealed record TrainingDataSummary(
    string Folder,
    string Fingerprint,
    int LabelledWindows,
    int TrainWindows,
    int ValidationWindows,
    int TrainPatients,
    int ValidationPatients)
{
    /// <summary>Training windows of the second stage (<see cref="TrainingOptions.FineTuneMinVotes"/> votes or more); 0 when it did not run.</summary>
    public int FineTuneWindows { get; init; }
}

/// <summary>A run's calibration on its validation windows (<see cref="Hbac.Eeg.Metrics.Calibration"/>), every class's and the top label's.</summary>
public sealed record ValidationCalibration(Hbac.Eeg.Metrics.Calibration Classwise, Hbac.Eeg.Metrics.Calibration TopLabel);
