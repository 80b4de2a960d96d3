namespace Hbac.Tests;

/// <summary>
/// The API key the in-process service hosts of the tests are configured with (<c>Hbac:ApiKey</c>), and
/// the one their clients send. A constant: it protects nothing but a TestServer.
/// </summary>
internal static class TestApiKey
{
    public const string Setting = "Hbac:ApiKey";

    public const string Value = "test-key-0123456789abcdefghijklmnopqrstuv";
}
