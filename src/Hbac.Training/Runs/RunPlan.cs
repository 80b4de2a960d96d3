using Hbac.Learning.Training;
using Hbac.Onnx;

namespace Hbac.Training.Runs;

/// <summary>
/// A validated run request: the effective hyper-parameters (the kind's profile merged with the
/// overrides) and the data folder, resolved under the data root.
/// </summary>
/// <param name="Model">The model catalog name (<see cref="Hbac.Learning.Models.ModelCatalog"/>).</param>
/// <param name="DataFolder">Absolute path of the Kaggle-format folder.</param>
/// <param name="DataFolderName">The folder relative to the data root ("." for the root), as listings show it.</param>
/// <param name="Kind">What the model reads; decides the input folder (train_spectrograms/ or train_eegs/).</param>
public sealed record RunPlan(string Model, string Profile, TrainingOptions Options, string DataFolder, string DataFolderName, string Description,
    ModelInputKind Kind);
