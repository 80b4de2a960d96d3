using Hbac.Training.Tests.Support;
using Microsoft.Extensions.Options;

namespace Hbac.Training.Tests;

[Collection("Training service")]
public sealed class ServiceOptionsTests
{
    [Theory]
    [InlineData("Hbac:ModelRepository", "")]
    [InlineData("Hbac:DataRoot", "")]
    [InlineData("Hbac:MaxQueuedRuns", "0")]
    [InlineData("Hbac:StepEventInterval", "0")]
    public void TheServiceRefusesToStartWithABadSetting(string key, string value)
    {
        var error = Assert.ThrowsAny<Exception>(() => new TrainingHost(SyntheticData.Root, new Dictionary<string, string> { [key] = value }));

        var validation = Assert.IsType<OptionsValidationException>(Innermost(error));
        Assert.Contains(key.Split(':')[1], validation.Message);
    }

    private static Exception Innermost(Exception e)
    {
        while (e is not OptionsValidationException && e.InnerException is { } inner)
        {
            e = inner;
        }
        return e;
    }
}
