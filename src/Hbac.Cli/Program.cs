using System.CommandLine;
using Hbac.Cli;

var root = new RootCommand("hbac - harmful brain activity classification: EEG data, models and services from the command line.");
foreach (var command in HbacCommands.All())
{
    root.Subcommands.Add(command);
}
if (args.Length == 0)
{
    return await root.Parse(["--help"]).InvokeAsync();
}
var parsed = root.Parse(args);
// A mistyped option or value is bad input like any other: one line per problem on stderr and exit 2, not the whole
// help text on stdout and exit 1 (System.CommandLine's default). --help still prints the help.
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        await Console.Error.WriteLineAsync($"hbac: {error.Message} ({CommandPath(parsed.CommandResult)} --help lists the options)");
    }
    return 2;
}
return await parsed.InvokeAsync();

// "hbac bench load" for the command a parse ended in.
static string CommandPath(System.CommandLine.Parsing.CommandResult? result)
{
    var names = new List<string>();
    for (var current = result; current is not null; current = current.Parent as System.CommandLine.Parsing.CommandResult)
    {
        if (current.Command is not RootCommand)
        {
            names.Insert(0, current.Command.Name);
        }
    }
    return string.Join(' ', ["hbac", .. names]);
}
