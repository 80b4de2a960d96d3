using HbacAspire.AppHost;
using HbacAspire.AppHost.Jobs;
using HbacAspire.AppHost.Scripts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Aspire.Hosting;

public static class DefaultJobBuilderExtensions
{
    /// <summary>
    /// The default job as a resource: synthetic data (unless <c>--data</c>), prepare with
    /// <paramref name="preprocessing"/>, a quick run on <paramref name="training"/>, then wait until
    /// <paramref name="inference"/> serves the model. Its "Run again" command trains anew.
    /// </summary>
    public static IResourceBuilder<DefaultJobResource> AddDefaultJob(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, AppHostOptions options,
        IResourceBuilder<ProjectResource> preprocessing, IResourceBuilder<ProjectResource> training, IResourceBuilder<ProjectResource> inference)
    {
        var resource = new DefaultJobResource(name);
        var services = new Dictionary<string, IResourceBuilder<ProjectResource>>
        {
            [preprocessing.Resource.Name] = preprocessing,
            [training.Resource.Name] = training,
            [inference.Resource.Name] = inference,
        };
        builder.Services.AddSingleton(provider => new DefaultJobRunner(
            resource, options, services,
            provider.GetRequiredService<ResourceNotificationService>(),
            provider.GetRequiredService<ResourceLoggerService>(),
            provider.GetRequiredService<ScriptOutput>()));
        builder.Services.AddHostedService(provider => provider.GetRequiredService<DefaultJobRunner>());

        return builder.AddResource(resource)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = DefaultJobResource.ResourceType,
                State = new ResourceStateSnapshot(KnownResourceStates.NotStarted, KnownResourceStateStyles.Info),
                Properties =
                [
                    new("hbac.job.mode", options.Job.ToString().ToLowerInvariant()),
                    new("hbac.job.data", options.Data ?? Path.Combine(options.GeneratedDataDirectory, DefaultJob.SyntheticFolder)),
                ],
            })
            .WithRelationship(preprocessing.Resource, "Uses")
            .WithRelationship(training.Resource, "Uses")
            .WithRelationship(inference.Resource, "Uses")
            .WithIconName("Play")
            .WithCommand("run-again", "Run again (train a model)", context => RunAgain(context, "the job"),
                new CommandOptions { Description = "Prepare the data, train the quick profile and serve the model", IconName = "ArrowRepeatAll" });
    }

    /// <summary>"Train a model" on the training resource: the default job in train mode (prepare, quick run, serve).</summary>
    public static IResourceBuilder<ProjectResource> WithTrainCommand(this IResourceBuilder<ProjectResource> training) =>
        training.WithCommand("train", "Train a model", context => RunAgain(context, "training"),
            new CommandOptions
            {
                Description = "Prepare the data, train the quick MobileNetV3 profile and publish the model (the default job in train mode)",
                IconName = "BrainCircuit",
                UpdateState = state => state.ResourceSnapshot.HealthStatus is Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
                    ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
            });

    private static Task<ExecuteCommandResult> RunAgain(ExecuteCommandContext context, string what)
    {
        var runner = context.Services.GetRequiredService<DefaultJobRunner>();
        return Task.FromResult(runner.TryStart(DefaultJobMode.Train) is not null
            ? CommandResults.Success()
            : CommandResults.Failure($"{what}: the default job is already running; see its log"));
    }
}
