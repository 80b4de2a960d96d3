using Aspire.Hosting.Publishing;
using Hbac.Contracts.Security;
using HbacAspire.AppHost;
using HbacAspire.AppHost.Scripts;
using HbacAspire.AppHost.Security;

namespace Aspire.Hosting;

public static class ApiKeyBuilderExtensions
{
    /// <summary>
    /// The services' API key as the secret parameter <c>api-key</c> (masked on the dashboard): configuration
    /// <c>Parameters:api-key</c> when set, else <c>&lt;--home&gt;/api-key</c>, generated with mode 0600 on the
    /// first run. The file is read (or written) here, before anything starts, so a file others can read or
    /// one holding no usable key stops the AppHost with one line naming it (<see cref="ApiKeyFileException"/>).
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddApiKey(this IDistributedApplicationBuilder builder, AppHostOptions options)
    {
        var configured = builder.Configuration[$"Parameters:{ApiKeys.ParameterName}"];
        if (!string.IsNullOrEmpty(configured))
        {
            if (ApiKeys.Problem(configured) is { } problem)
            {
                throw new ApiKeyFileException($"Parameters:{ApiKeys.ParameterName} {problem}");
            }
            ScriptOutput.Console.Status($"api key: from the configuration (Parameters:{ApiKeys.ParameterName}); hbac needs it in --api-key or {ApiKeys.EnvironmentVariable}");
        }
        else if (builder.ExecutionContext.IsRunMode)
        {
            ApiKeyFile.LoadOrCreate(options.ApiKeyFile, out var created);
            ScriptOutput.Console.Status($"api key: {options.ApiKeyFile}{(created ? " (generated)" : "")}");
        }
        return builder.AddParameter(ApiKeys.ParameterName, new HomeKeyFile(options.ApiKeyFile), secret: true);
    }

    /// <summary>The service requires <paramref name="apiKey"/> of its callers (<c>Hbac__ApiKey</c>).</summary>
    public static IResourceBuilder<ProjectResource> WithApiKey(this IResourceBuilder<ProjectResource> project, IResourceBuilder<ParameterResource> apiKey) =>
        project.WithEnvironment("Hbac__ApiKey", apiKey);

    /// <summary>The parameter's value when the configuration has none: the home's key file. A published manifest asks the deployment to generate one.</summary>
    private sealed class HomeKeyFile(string path) : ParameterDefault
    {
        private static readonly GenerateParameterDefault Generated = new() { MinLength = 43, Special = false };

        public override string GetDefaultValue() => ApiKeyFile.LoadOrCreate(path, out _);

        public override void WriteToManifest(ManifestPublishingContext context) => Generated.WriteToManifest(context);
    }
}
