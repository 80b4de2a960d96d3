using Hbac.Learning.Training;
using Hbac.Onnx;

namespace Hbac.Training.Runs;

/// <summary>What a caller asks for, before validation; null overrides keep the profile's values.</summary>
/// <param name="Model">A model catalog name; null when the caller did not choose one.</param>
/// <param name="Kind">What the model reads: spectrogram windows (served to Score) or EEG windows (served to StreamEeg).</param>
public sealed record RunRequest(string? Model, string Profile, TrainingOverrides Overrides, string DataFolder, string Description,
    ModelInputKind Kind);
