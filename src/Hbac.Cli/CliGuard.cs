using Hbac.Eeg;

namespace Hbac.Cli;

/// <summary>A user mistake on the command line (bad flag combination, unknown name): printed as one line.</summary>
internal sealed class CliUsageException(string message) : Exception(message);

/// <summary>
/// Runs a command body and turns user errors (bad files, bad values) into one line on stderr and a
/// non-zero exit code, never a stack trace. Programming errors still surface with their trace.
/// </summary>
internal static class CliGuard
{
    public const int UserError = 2;
    public const int Cancelled = 130;

    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (UserMessage(e) is { } message)
        {
            // Messages quote file names and values from the input: escape control characters so it stays one line.
            Console.Error.WriteLine($"hbac: {EegDataException.OneLine(message)}");
            return e is OperationCanceledException ? Cancelled : UserError;
        }
    }

    public static Task<int> Run(Func<int> body) => RunAsync(() => Task.FromResult(body()));

    /// <summary>The one-line message for an error caused by input, or null for a bug.</summary>
    internal static string? UserMessage(Exception e) => e switch
    {
        EegDataException or CliUsageException or Hbac.Learning.Training.TrainingDivergedException => e.Message,
        FileNotFoundException f => $"{f.FileName ?? "file"}: file not found",
        DirectoryNotFoundException => e.Message,
        UnauthorizedAccessException => e.Message,
        OperationCanceledException => "cancelled",
        IOException => e.Message,
        _ => null,
    };
}
