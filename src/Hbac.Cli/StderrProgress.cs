using Spectre.Console;

namespace Hbac.Cli;

/// <summary>
/// Progress bars drawn on stderr, so stdout keeps only a command's data (JSON, tables, summaries).
/// </summary>
internal static class StderrProgress
{
    /// <summary>
    /// A progress display on the stderr of this moment: bound anew each time, so a caller that redirects
    /// the console (the in-process CLI tests) never leaves a later bar writing to a writer it has closed.
    /// </summary>
    public static Progress Create() =>
        AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(System.Console.Error),
            Ansi = AnsiSupport.Detect,
            Interactive = InteractionSupport.Detect,
        }).Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn());
}
