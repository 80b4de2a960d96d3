using Hbac.Onnx;
namespace Hbac.Learning.Training;

/// <summary>What a finished run produced: the run folder's files and the card written into it.</summary>
public sealed record TrainingResult(string RunFolder, ModelCard Card)
{
    public string OnnxPath => Path.Combine(RunFolder, RunFolderLayout.Onnx);
    public string CardPath => Path.Combine(RunFolder, RunFolderLayout.Card);
    public string CheckpointPath => Path.Combine(RunFolder, RunFolderLayout.Checkpoint);
    public string CurvesPath => Path.Combine(RunFolder, RunFolderLayout.Curves);
    public string ConfusionPath => Path.Combine(RunFolder, RunFolderLayout.Confusion);
    public string CalibrationPath => Path.Combine(RunFolder, RunFolderLayout.Calibration);
}

/// <summary>File names inside a run folder.</summary>
public static class RunFolderLayout
{
    public const string Onnx = ModelRepositoryLayout.ModelFile;
    public const string Card = ModelRepositoryLayout.CardFile;
    public const string Checkpoint = "best.dat";
    public const string Curves = "curves.png";
    public const string Confusion = "confusion.png";
    public const string Calibration = "calibration.png";

    public static readonly IReadOnlyList<string> Files = [Onnx, Card, Checkpoint, Curves, Confusion, Calibration];
}
