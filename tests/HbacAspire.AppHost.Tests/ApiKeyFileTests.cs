using System.Runtime.Versioning;
using HbacAspire.AppHost.Security;
using static HbacAspire.AppHost.Tests.TestSupport;

namespace HbacAspire.AppHost.Tests;

/// <summary>The key file under --home: written once with mode 0600, then read; refused when others can read it or it holds no key.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class ApiKeyFileTests
{
    [Fact]
    public void TheFirstCallWritesAnOwnerOnlyKeyAndLaterCallsReadIt()
    {
        var path = Path.Combine(TempDirectory(), "api-key");

        var first = ApiKeyFile.LoadOrCreate(path, out var created);
        var second = ApiKeyFile.LoadOrCreate(path, out var createdAgain);

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal(first, second);
        Assert.Equal(first + "\n", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Matches("^[A-Za-z0-9_-]{43}$", first);
    }

    [Fact]
    public void AFileOthersCanReadIsRefusedNamingItAndItsMode()
    {
        var path = Path.Combine(TempDirectory(), "api-key");
        ApiKeyFile.LoadOrCreate(path, out _);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var refused = Assert.Throws<ApiKeyFileException>(() => ApiKeyFile.LoadOrCreate(path, out _));

        Assert.Equal($"{path}: the API key file can be read by others (mode 0644); 'chmod 600 {path}', or delete it to have a new key generated", refused.Message);
    }

    [Fact]
    public void AFileWithoutAUsableKeyIsRefused()
    {
        var path = Path.Combine(TempDirectory(), "api-key");
        File.WriteAllText(path, "short\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var refused = Assert.Throws<ApiKeyFileException>(() => ApiKeyFile.LoadOrCreate(path, out _));

        Assert.Equal($"{path}: the API key is 5 characters; a key needs at least 16; delete the file to have a new key generated", refused.Message);
    }
}
