using System.CommandLine;

namespace Hbac.Cli.Commands;

/// <summary><c>hbac bench &lt;what&gt;</c>: benchmarks that print a table comparing variants in one run (never tests).</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Time the data pipeline or the models and print a table comparing variants.");
        foreach (var subcommand in Subcommands())
        {
            command.Subcommands.Add(subcommand);
        }
        return command;
    }

    /// <summary>Every benchmark, one line each.</summary>
    private static IEnumerable<Command> Subcommands() =>
    [
        BenchDataCommand.Create(),
        BenchModelsCommand.Create(),
        BenchTrainCommand.Create(),
        BenchOnnxCommand.Create(),
        BenchLoadCommand.Create(),
        BenchStreamCommand.Create(),
    ];
}
