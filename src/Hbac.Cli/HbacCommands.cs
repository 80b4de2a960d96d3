using System.CommandLine;
using Hbac.Cli.Commands;

namespace Hbac.Cli;

/// <summary>Every subcommand of <c>hbac</c>, in the order <c>--help</c> lists them.</summary>
internal static class HbacCommands
{
    public static IEnumerable<Command> All() =>
    [
        SynthCommand.Create(),
        ConvertCommand.Create(),
        InspectCommand.Create(),
        SpectrogramCommand.Create(),
        FoldsCommand.Create(),
        KlCommand.Create(),
        ParamsCommand.Create(),
        TrainCommand.Create(),
        EvaluateCommand.Create(),
        PredictCommand.Create(),
        ReportCommand.Create(),
        CompareCommand.Create(),
        BenchCommand.Create(),
        StreamCommand.Create(),
        ScoreCommand.Create(),
        ModelsCommand.Create(),
        QuantizeCommand.Create(),
    ];
}
