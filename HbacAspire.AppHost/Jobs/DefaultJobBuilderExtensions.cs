using Hbac.Contracts.V1;
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
    /// <paramref name="preprocessing"/>, a quick spectrogram run and a quick EEG run on
    /// <paramref name="training"/>, then wait until <paramref name="inference"/> serves both models.
    /// Its "Run again" command trains both anew.
    /// </summary>
    public static IResourceBuilder<DefaultJobResource> AddDefaultJob(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, AppHostOptions options, IResourceBuilder<ParameterResource> apiKey,
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
            resource, options, apiKey.Resource, services,
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
            .WithCommand("run-again", "Run again (train both models)", context => RunAgain(context, "the job", kinds: null),
                new CommandOptions
                {
                    Description = "Prepare the data, train the quick spectrogram model and then the quick EEG model, and serve both",
                    IconName = "ArrowRepeatAll",
                });
    }

    /// <summary>
    /// One command per model kind on the training resource, "Train the spectrogram model" and "Train
    /// the EEG model": the default job in train mode for that kind only (the other kind's served model
    /// stays). The job's own "Run again" trains both.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithTrainCommands(this IResourceBuilder<ProjectResource> training)
    {
        foreach (var kind in ServedModels.Kinds)
        {
            var label = ServedModels.Label(kind);
            training.WithCommand(TrainCommandName(kind), $"Train the {label} model", context => RunAgain(context, "training", [kind]),
                new CommandOptions
                {
                    Description = $"Train the quick MobileNetV3 {label} model and publish it" +
                        (kind == ModelInputKind.Spectrogram ? " (prepares the data first)" : "") + "; the default job in train mode, for this model only",
                    IconName = "BrainCircuit",
                    UpdateState = state => state.ResourceSnapshot.HealthStatus is Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
                        ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
                });
        }
        return training;
    }

    /// <summary>"train-spectrogram" or "train-eeg".</summary>
    public static string TrainCommandName(ModelInputKind kind) => "train-" + ServedModels.Label(kind).ToLowerInvariant();

    private static Task<ExecuteCommandResult> RunAgain(ExecuteCommandContext context, string what, IReadOnlyList<ModelInputKind>? kinds)
    {
        var runner = context.Services.GetRequiredService<DefaultJobRunner>();
        return Task.FromResult(runner.TryStart(DefaultJobMode.Train, kinds) is not null
            ? CommandResults.Success()
            : CommandResults.Failure($"{what}: the default job is already running; see its log"));
    }
}
