using Aspire.Hosting.ApplicationModel;
using HbacAspire.AppHost.Restarts;

namespace HbacAspire.AppHost.Tests;

/// <summary>Which resource updates <see cref="CrashRestarter"/> treats as a crash to restart after.</summary>
public class RestartPolicyTests
{
    public static TheoryData<string?, int?, bool> States => new()
    {
        // Exited on its own with a failure code (DCP reports -1 for a process killed by a signal).
        { KnownResourceStates.Exited, -1, true },
        { KnownResourceStates.Exited, 137, true },
        { KnownResourceStates.Exited, 1, true },
        { KnownResourceStates.Finished, -1, true },
        { KnownResourceStates.Finished, 137, true },
        // A clean exit, or an exit without a code, is not a crash.
        { KnownResourceStates.Exited, 0, false },
        { KnownResourceStates.Exited, null, false },
        { KnownResourceStates.Finished, 0, false },
        { KnownResourceStates.Finished, null, false },
        // Failing to start is, whatever the code.
        { KnownResourceStates.FailedToStart, null, true },
        { KnownResourceStates.FailedToStart, 0, true },
        // A running, starting or stopping resource is not, even with a stale exit code.
        { KnownResourceStates.Running, null, false },
        { KnownResourceStates.Running, 137, false },
        { KnownResourceStates.Starting, null, false },
        { KnownResourceStates.Stopping, 137, false },
        { null, 137, false },
    };

    [Theory]
    [MemberData(nameof(States))]
    public void IsCrash(string? state, int? exitCode, bool crash)
    {
        Assert.Equal(crash, CrashRestarter.IsCrash(state, exitCode));
    }
}
