using System.CommandLine;
using Hbac.Contracts.Security;

namespace Hbac.Cli.Services;

/// <summary>
/// The API key hbac sends to a service, and where it came from (said in the error line when a service
/// refuses it): <c>--api-key</c>, else <c>HBAC_API_KEY</c>, else <c>&lt;--home&gt;/api-key</c>, the file the
/// AppHost writes on its first run (the same default home, <c>./.hbac</c>). No key at all is not an error
/// here: a service run with its development opt-out needs none, and any other says so itself.
/// </summary>
internal sealed record ServiceKey(string? Value, string Origin)
{
    private const string ApiKeyOption = "--api-key";
    private const string HomeOption = "--home";

    /// <summary>Adds <c>--api-key</c> and <c>--home</c> to a command that calls a service.</summary>
    public static void AddOptions(Command command)
    {
        command.Options.Add(new Option<string?>(ApiKeyOption)
        {
            Description = $"The services' API key (default: ${ApiKeys.EnvironmentVariable}, else the key file under --home)",
        });
        command.Options.Add(new Option<string>(HomeOption)
        {
            Description = $"The AppHost's --home, whose {ApiKeys.FileName} file holds the key",
            DefaultValueFactory = _ => ApiKeys.DefaultHome,
        });
    }

    /// <summary>The key for a command given <see cref="AddOptions"/>.</summary>
    public static ServiceKey Resolve(ParseResult parseResult) => Resolve(
        parseResult.GetValue<string?>(ApiKeyOption),
        Environment.GetEnvironmentVariable(ApiKeys.EnvironmentVariable),
        parseResult.GetValue<string>(HomeOption) ?? ApiKeys.DefaultHome);

    public static ServiceKey Resolve(string? option, string? environment, string home)
    {
        if (!string.IsNullOrWhiteSpace(option))
        {
            return new ServiceKey(option.Trim(), ApiKeyOption);
        }
        if (!string.IsNullOrWhiteSpace(environment))
        {
            return new ServiceKey(environment.Trim(), ApiKeys.EnvironmentVariable);
        }
        var file = Path.GetFullPath(Path.Combine(home, ApiKeys.FileName));
        if (!File.Exists(file))
        {
            return new ServiceKey(null, $"no key: no {ApiKeyOption}, {ApiKeys.EnvironmentVariable} not set, {file} not found");
        }
        var key = File.ReadAllText(file).Trim();
        if (key.Length == 0)
        {
            throw new CliUsageException($"{file}: the key file is empty; restart the AppHost with this --home to write a new key, or pass {ApiKeyOption}");
        }
        return new ServiceKey(key, file);
    }

    /// <summary>What to add to a service's refusal: where the key hbac sent came from.</summary>
    public string Describe() => Value is null ? $"(hbac sent {Origin})" : $"(hbac sent the key from {Origin})";
}
