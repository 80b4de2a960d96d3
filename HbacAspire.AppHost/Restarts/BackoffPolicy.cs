namespace HbacAspire.AppHost.Restarts;

/// <summary>
/// Restart delays: Initial, 2 x Initial, 4 x Initial, ... capped at Max. A process that ran at
/// least <see cref="StableAfter"/> before crashing starts again from Initial, so one crash a day
/// does not accumulate into long pauses.
/// </summary>
public sealed record BackoffPolicy(TimeSpan Initial, TimeSpan Max, TimeSpan StableAfter)
{
    public static BackoffPolicy Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));

    /// <summary>Delay before restart number <paramref name="consecutiveFailures"/> (1-based).</summary>
    public TimeSpan Delay(int consecutiveFailures)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(consecutiveFailures, 1);
        var factor = Math.Pow(2, Math.Min(consecutiveFailures - 1, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(Initial.Ticks * factor, Max.Ticks));
        return delay;
    }
}
