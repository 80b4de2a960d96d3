using Hbac.Learning.Training;

namespace Hbac.Training.Runs;

/// <summary>A run's state at one moment (what GetRun and ListRuns return).</summary>
public sealed record RunSnapshot(
    string Id,
    RunStatus Status,
    RunPlan Plan,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int Epoch,
    int Epochs,
    double BestValidationLoss,
    string? ModelVersion,
    string? Error)
{
    public TrainingOptions Options => Plan.Options;
}
