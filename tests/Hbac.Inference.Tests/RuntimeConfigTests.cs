using System.Text.Json;

namespace Hbac.Inference.Tests;

/// <summary>
/// The runtime settings the service's project file puts in its runtimeconfig.json, which every start (the AppHost,
/// `dotnet Hbac.Inference.dll`, `hbac bench load`) reads; both were measured under stream load (the project file says how).
/// </summary>
public sealed class RuntimeConfigTests
{
    private static JsonElement ConfigProperties()
    {
        var service = typeof(Program).Assembly.Location;
        var path = Path.ChangeExtension(service, ".runtimeconfig.json");
        Assert.True(File.Exists(path), $"{path} not found beside {service}");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }

    [Fact]
    public void IdleThreadPoolWorkersDoNotSpin()
    {
        Assert.Equal(0, ConfigProperties().GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
    }

    [Fact]
    public void MethodsAreCompiledFullyOptimisedFirstTime()
    {
        Assert.False(ConfigProperties().GetProperty("System.Runtime.TieredCompilation").GetBoolean());
    }
}
