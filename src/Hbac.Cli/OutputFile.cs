using System.CommandLine;
using System.CommandLine.Parsing;

namespace Hbac.Cli;

/// <summary>
/// An <c>--out</c> that names a file to write. Given an existing folder, the command used to run to its end and then fail
/// with .NET's "Access to the path ... is denied" (or "Is a directory"): it is refused before any work, by name.
/// </summary>
internal static class OutputFile
{
    public static T MustNotBeAFolder<T>(this T option) where T : Option
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && Problem(result.Tokens[0].Value) is { } problem)
            {
                result.AddError($"{option.Name} {problem}");
            }
        });
        return option;
    }

    internal static string? Problem(string path) =>
        Directory.Exists(path) ? $"'{path}' is a folder; give the path of the file to write" : null;
}
