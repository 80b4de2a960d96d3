using Spectre.Console;

namespace Hbac.Cli;

/// <summary>
/// Progress bars drawn on stderr, so stdout keeps only a command's data (JSON, tables, summaries).
/// </summary>
internal static class StderrProgress
{
    /// <summary>
    /// A progress on the stderr current now. Not one console cached at first use: that one stays bound to
    /// the first Console.Error after it is replaced. In-process tests capture stderr per command, so a
    /// later command's progress could write to an earlier, disposed writer; once, Spectre's refresh
    /// thread did, and the test host crashed with ObjectDisposedException.
    /// </summary>
    public static Progress Create() =>
        AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(System.Console.Error),
                Ansi = AnsiSupport.Detect,
                Interactive = InteractionSupport.Detect,
            })
            .Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn());
}
