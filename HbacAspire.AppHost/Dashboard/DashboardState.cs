using HbacAspire.AppHost.Supervision;

namespace HbacAspire.AppHost.Dashboard;

/// <summary>
/// The document <c>GET /api/state</c> returns and the page polls every second (camelCase JSON,
/// enums as strings).
/// </summary>
public sealed record DashboardState(
    AppHostView AppHost,
    IReadOnlyList<ResourceView> Resources,
    TrainingView Training,
    ModelsView Models,
    InferenceView Inference);

/// <param name="Job">The built-in job's latest status line (empty before it says anything).</param>
public sealed record AppHostView(int Pid, string Home, DateTimeOffset StartedAt, bool Ready, string ReadyWhen, string Job, DateTimeOffset Time);

/// <summary>A resource with its last log lines (<c>GET /api/logs/{name}</c> has more).</summary>
public sealed record ResourceView(ResourceSnapshot Resource, IReadOnlyList<LogLine> RecentLogs);

public sealed record TrainingView(IReadOnlyList<TrainingRunView> Runs);

/// <summary>Mutable facts about the AppHost itself that the dashboard shows.</summary>
public sealed class AppHostStatus(string home, string readyWhen)
{
    public string Home { get; } = home;

    public string ReadyWhen { get; } = readyWhen;

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public volatile bool Ready;

    /// <summary>The built-in job's latest status line.</summary>
    public volatile string Job = "";
}
