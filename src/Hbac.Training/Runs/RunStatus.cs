namespace Hbac.Training.Runs;

/// <summary>Where a run is in its life: queued, running, then exactly one of the three final states.</summary>
public enum RunStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

public static class RunStatusExtensions
{
    public static bool IsFinal(this RunStatus status) => status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled;
}
