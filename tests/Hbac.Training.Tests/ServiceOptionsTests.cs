using Hbac.Training.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
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
    public async Task TheServiceRefusesToStartWithABadSetting(string key, string value)
    {
        // Program.cs's registrations on a host of the test's own: through WebApplicationFactory, an entry point
        // whose start fails can dispose its host before the factory reads it, and the test then sees an
        // ObjectDisposedException instead of the cause (one CI run in many).
        var home = Directory.CreateTempSubdirectory("hbac-training-options-").FullName;
        try
        {
            var settings = TrainingHost.Settings(SyntheticData.Root, Path.Combine(home, "models"));
            settings[key] = value;
            var builder = WebApplication.CreateBuilder();
            builder.WebHost.UseTestServer();
            builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
            builder.AddServiceDefaults();
            builder.AddGrpcServiceDefaults();
            builder.AddRedisTensorCache();
            builder.AddRedisModelAnnouncements();
            builder.AddTrainingServices();
            await using var app = builder.Build();

            var error = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());

            var validation = Assert.IsType<OptionsValidationException>(Innermost(error), exactMatch: true);
            Assert.Contains(key.Split(':')[1], validation.Message);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
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
