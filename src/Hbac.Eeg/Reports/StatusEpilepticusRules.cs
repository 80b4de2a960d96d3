namespace Hbac.Eeg.Reports;

/// <summary>
/// The stated status-epilepticus rules over the burden series: seizure in at least 90 % of the scored
/// time of a trailing 5-minute window, and at least 10 minutes of seizure within a trailing hour. A
/// window counts only when at least half of it was scored, so a mostly unscored window cannot raise the flag.
/// </summary>
public static class StatusEpilepticusRules
{
    public const double FiveMinuteBurdenThreshold = 0.9;
    public const double SeizureMinutesPerHour = 10;
    public const double MinimumScoredShare = 0.5;

    public static IReadOnlyList<StatusEpilepticusFlag> Evaluate(IReadOnlyList<BurdenPoint> fiveMinutes, IReadOnlyList<BurdenPoint> sixtyMinutes)
    {
        double? burdenFirst = fiveMinutes
            .FirstOrDefault(p => p.Burden >= FiveMinuteBurdenThreshold && p.ScoredSeconds >= MinimumScoredShare * 300)?.TimeSeconds;
        double? hourFirst = sixtyMinutes
            .FirstOrDefault(p => p.SeizureSeconds >= SeizureMinutesPerHour * 60 - 1e-6)?.TimeSeconds;
        return
        [
            new StatusEpilepticusFlag("burden_5min_90pct",
                "seizure burden >= 90 % in a trailing 5-minute window with >= 50 % of it scored", burdenFirst is not null, burdenFirst),
            new StatusEpilepticusFlag("seizure_10min_per_hour",
                ">= 10 minutes of seizure within a trailing 60-minute window", hourFirst is not null, hourFirst),
        ];
    }
}
