using Hbac.Learning.Training;

namespace Hbac.Training.Runs;

/// <summary>
/// A validated run request: the effective hyper-parameters (profile merged with the overrides) and the
/// data folder, resolved under the data root.
/// </summary>
/// <param name="Model">The model catalog name (<see cref="Hbac.Learning.Models.ModelCatalog"/>).</param>
/// <param name="DataFolder">Absolute path of the Kaggle-format folder.</param>
/// <param name="DataFolderName">The folder relative to the data root ("." for the root), as listings show it.</param>
public sealed record RunPlan(string Model, string Profile, TrainingOptions Options, string DataFolder, string DataFolderName, string Description);

/// <summary>What a caller asks for, before validation; null overrides keep the profile's values.</summary>
/// <param name="Model">A model catalog name; null when the caller did not choose one.</param>
public sealed record RunRequest(string? Model, string Profile, TrainingOverrides Overrides, string DataFolder, string Description);
