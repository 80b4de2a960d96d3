using Hbac.Training.Execution;
using Hbac.Training.Extensions;
using Hbac.Training.Publishing;
using Hbac.Training.Runs;
using HbacAspire.ServiceDefaults.Requests;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

public static class TrainingServiceExtensions
{
    /// <summary>
    /// Options ("Hbac" section: DataRoot, ModelRepository, queue and history limits, threads), the data
    /// root, the run registry and planner, the worker that trains queued runs one at a time, and the
    /// model publisher. Needs <c>AddRedisTensorCache</c> and <c>AddRedisModelAnnouncements</c>.
    /// </summary>
    public static IHostApplicationBuilder AddTrainingServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TrainingServiceOptions>()
            .BindConfiguration(TrainingServiceOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(provider => new DataRoot(provider.GetRequiredService<IOptions<TrainingServiceOptions>>().Value.DataRoot));
        builder.Services.AddSingleton<RunPlanner>();
        builder.Services.AddSingleton<RunRegistry>();
        builder.Services.AddSingleton<ITrainingRuns>(provider => provider.GetRequiredService<RunRegistry>());
        builder.Services.AddSingleton<TrainingDataLoader>();
        builder.Services.AddSingleton<ModelPublisher>();
        builder.Services.AddSingleton<TrainingMetrics>();
        builder.Services.AddSingleton<RunExecutor>();
        builder.Services.AddHostedService<TrainingWorker>();
        return builder;
    }
}
