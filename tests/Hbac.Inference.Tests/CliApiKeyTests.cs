using Hbac.Contracts.Security;
using Hbac.Inference.Tests.Support;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Hbac.Inference.Tests;

/// <summary>
/// hbac's key against the inference service on a real loopback port: from --api-key, else HBAC_API_KEY,
/// else &lt;--home&gt;/api-key, and a refusal that says which one hbac sent.
/// </summary>
[Collection(nameof(ConsoleCapture))]
public sealed class CliApiKeyTests : IDisposable
{
    private const string WrongKey = "a-wrong-key-of-enough-length";
    private readonly InferenceFactory _factory;
    private readonly string _url;
    private readonly string _home;
    private readonly string _emptyHome;

    public CliApiKeyTests()
    {
        _factory = new InferenceFactory(repository => TinyOnnxModel.Favouring(0).Publish(repository, "v1"),
            new Dictionary<string, string> { ["Logging:LogLevel:Default"] = "None" });
        _factory.UseKestrel(0);
        _factory.StartServer();
        _url = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1");
        _home = Directory.CreateDirectory(Path.Combine(_factory.Home, "apphost-home")).FullName;
        _emptyHome = Directory.CreateDirectory(Path.Combine(_factory.Home, "empty-home")).FullName;
        File.WriteAllText(Path.Combine(_home, ApiKeys.FileName), TestApiKey.Value + "\n");
    }

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task TheApiKeyOptionIsSentAndWinsOverTheVariableAndTheFile()
    {
        var (exit, output, error) = await CliCommandTests.RunWithKeyVariableAsync(WrongKey,
            "models", "--server", _url, "--api-key", TestApiKey.Value, "--home", WrongKeyHome());

        Assert.True(exit == 0, error);
        Assert.Contains("v1  active", output);
    }

    [Fact]
    public async Task TheVariableIsSentWithoutTheOptionAndWinsOverTheFile()
    {
        var (exit, output, error) = await CliCommandTests.RunWithKeyVariableAsync(TestApiKey.Value, "models", "--server", _url, "--home", WrongKeyHome());

        Assert.True(exit == 0, error);
        Assert.Contains("v1  active", output);
    }

    [Fact]
    public async Task TheHomesKeyFileIsSentWithoutTheOptionOrTheVariable()
    {
        var (exit, output, error) = await CliCommandTests.RunWithKeyVariableAsync(null, "models", "--server", _url, "--home", _home);

        Assert.True(exit == 0, error);
        Assert.Contains("v1  active", output);
    }

    [Fact]
    public async Task NoKeyAnywhereIsUnauthenticatedAndSaysWhereHbacLooked()
    {
        var (exit, _, error) = await CliCommandTests.RunWithKeyVariableAsync(null, "models", "--server", _url, "--home", _emptyHome);

        Assert.Equal(2, exit);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"hbac: {_url}: Unauthenticated: no API key", line);
        Assert.EndsWith($"(hbac sent no key: no --api-key, HBAC_API_KEY not set, {Path.Combine(_emptyHome, ApiKeys.FileName)} not found)", line);
    }

    [Fact]
    public async Task AWrongKeyIsPermissionDeniedAndNamesItsSource()
    {
        var fromOption = await CliCommandTests.RunWithKeyVariableAsync(null, "models", "--server", _url, "--api-key", WrongKey, "--home", _emptyHome);
        var fromFile = await CliCommandTests.RunWithKeyVariableAsync(null, "models", "--server", _url, "--home", WrongKeyHome());

        Assert.Equal(2, fromOption.Exit);
        Assert.Contains($"{_url}: PermissionDenied: wrong API key", fromOption.Error);
        Assert.Contains("(hbac sent the key from --api-key)", fromOption.Error);
        Assert.Equal(2, fromFile.Exit);
        Assert.Contains($"(hbac sent the key from {Path.Combine(WrongKeyHome(), ApiKeys.FileName)})", fromFile.Error);
    }

    private string WrongKeyHome()
    {
        var home = Directory.CreateDirectory(Path.Combine(_factory.Home, "wrong-home")).FullName;
        File.WriteAllText(Path.Combine(home, ApiKeys.FileName), WrongKey);
        return home;
    }
}
