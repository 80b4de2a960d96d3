using HbacAspire.AppHost.Feeds;
using HbacAspire.AppHost.Model;
using HbacAspire.AppHost.Readiness;

namespace HbacAspire.AppHost;

/// <summary>
/// The HBAC app model - every resource, what it references and what it waits for - in one place,
/// written like an Aspire AppHost.cs so that moving to real Aspire is a rewrite of this file only.
/// References become environment variables in Aspire's naming (<c>ConnectionStrings__redis</c>,
/// <c>services__preprocessing__grpc__0</c>); WaitFor gates a start on the other resource's health.
/// A service project not yet in the checkout is skipped with a note.
/// </summary>
public static class AppModel
{
    public static DistributedApp Create(AppHostOptions options, ProjectLocator projects, HttpClient probeClient, GrpcChannels channels)
    {
        var app = new DistributedApp(projects, probeClient);
        var dataRoot = options.Data ?? options.GeneratedDataDirectory;

        var redis = app.AddRedis("redis", options.RedisPort, options.RedisDirectory);

        var preprocessing = app.AddProject("preprocessing", "Hbac.Preprocessing", options.PreprocessingPort)
            .WithReference(redis).WaitFor(redis)
            .WithEnvironment("Hbac__DataRoot", dataRoot);

        app.AddProject("training", "Hbac.Training", options.TrainingPort)
            .WithReference(redis).WaitFor(redis)
            .WithReference(preprocessing).WaitFor(preprocessing)
            .WithEnvironment("Hbac__DataRoot", dataRoot)
            .WithEnvironment("Hbac__ModelRepository", options.ModelRepository);

        app.AddProject("inference", "Hbac.Inference", options.InferencePort)
            .WithReference(redis).WaitFor(redis)
            .WithReference(preprocessing)
            .WithEnvironment("Hbac__DataRoot", dataRoot)
            .WithEnvironment("Hbac__ModelRepository", options.ModelRepository);

        // "ready" (what scripts wait on): everything healthy and a model being served.
        app.ReadyWhen(new InferenceServesAModel("inference", channels));

        app.AddJob("default-job", new Jobs.DefaultJob(channels).RunAsync);
        app.AddJob("dashboard-models", (context, stopping) => DashboardFeeds.FeedModelsAsync(context, "inference", channels, stopping));
        app.AddJob("dashboard-training", (context, stopping) => DashboardFeeds.FeedTrainingAsync(context, "training", channels, stopping));
        return app;
    }
}
