using Hbac.Onnx;
namespace Hbac.Learning.Training;

/// <summary>
/// Everything a run trains on: the labelled windows, where their inputs come from, which kind of
/// input that is, and a fingerprint identifying the data (written to the card).
/// </summary>
public sealed record TrainingData(
    string Folder,
    string LabelsPath,
    string Fingerprint,
    IReadOnlyList<TrainingWindow> Windows,
    ITrainingWindowSource Source,
    ModelInputKind Kind = ModelInputKind.Spectrogram);
