using System.Security.Cryptography;

namespace Hbac.Contracts.Security;

/// <summary>
/// The API key every side must agree on: how a caller sends it (<c>authorization: Bearer &lt;key&gt;</c>),
/// where the services read it (<see cref="ServiceSetting"/>), where the AppHost keeps it
/// (<c>&lt;--home&gt;/api-key</c>, its secret parameter <see cref="ParameterName"/>) and where
/// <c>hbac</c> looks for it (<c>--api-key</c>, <see cref="EnvironmentVariable"/>, the home's key file).
/// </summary>
public static class ApiKeys
{
    /// <summary>The gRPC metadata key (HTTP/2 header names are lower case).</summary>
    public const string HeaderName = "authorization";

    public const string Scheme = "Bearer";

    /// <summary>The services' configuration key (environment <c>Hbac__ApiKey</c>).</summary>
    public const string ServiceSetting = "Hbac:ApiKey";

    /// <summary>The services' opt-out for local development: serve every caller without a key.</summary>
    public const string AllowUnauthenticatedSetting = "Hbac:AllowUnauthenticated";

    /// <summary>The AppHost's secret parameter (configuration <c>Parameters:api-key</c> overrides the key file).</summary>
    public const string ParameterName = "api-key";

    /// <summary>The key file's name under the AppHost's <c>--home</c>.</summary>
    public const string FileName = "api-key";

    /// <summary>The home the AppHost and hbac use when none is given (relative to the current folder).</summary>
    public const string DefaultHome = "./.hbac";

    public const string EnvironmentVariable = "HBAC_API_KEY";

    /// <summary>Shortest key a service accepts: anything shorter is a password someone typed, not a secret.</summary>
    public const int MinimumLength = 16;

    /// <summary>Where the key comes from, for the messages of both sides.</summary>
    public const string Origin =
        "the AppHost's secret parameter 'api-key', kept in <--home>/api-key (default ./.hbac/api-key); " +
        "hbac sends --api-key, else HBAC_API_KEY, else that file";

    /// <summary>A new key: 256 random bits as 43 URL-safe base64 characters (valid in a header as is).</summary>
    public static string Generate() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// Null when <paramref name="key"/> can be a key, else why not: at least <see cref="MinimumLength"/>
    /// characters, all visible ASCII (a header value cannot carry spaces at its ends or control characters).
    /// </summary>
    public static string? Problem(string key) =>
        key.Length < MinimumLength ? $"is {key.Length} characters; a key needs at least {MinimumLength}"
        : key.Any(c => c is < '!' or > '~') ? "holds a character that is not visible ASCII (spaces, control characters and non-ASCII cannot travel in a header)"
        : null;
}
