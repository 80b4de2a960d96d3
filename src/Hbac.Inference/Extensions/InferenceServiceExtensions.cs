using Hbac.Inference.Reports;
using Hbac.Inference.Extensions;
using System.Diagnostics.Metrics;
using Hbac.Inference.Models;
using Hbac.Inference.Profiling;
using Hbac.Inference.Scoring;
using Hbac.Inference.Streaming;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

public static class InferenceServiceExtensions
{
    /// <summary>Options ("Hbac" section), the model repository and its watcher, the micro-batcher and the window source.</summary>
    public static IHostApplicationBuilder AddInferenceServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<InferenceOptions>().BindConfiguration(InferenceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ModelRepository>();
        builder.Services.AddSingleton<IModelRepository>(provider => provider.GetRequiredService<ModelRepository>());
        builder.Services.AddHostedService<ModelWatcher>();
        builder.Services.AddSingleton<InferenceMetrics>();
        builder.Services.AddSingleton<IBatchScorer, ActiveModelScorer>();
        builder.Services.AddSingleton(provider => new StageProfile(provider.GetRequiredService<IMeterFactory>()));
        builder.Services.AddSingleton(_ => new WindowInputPool());
        builder.Services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<InferenceOptions>>().Value;
            return new MicroBatcher(provider.GetRequiredService<IBatchScorer>(), options.MaxBatch,
                TimeSpan.FromMilliseconds(options.MaxDelayMs), provider.GetRequiredService<InferenceMetrics>(), options.QueuedWindowsLimit,
                provider.GetRequiredService<StageProfile>());
        });
        builder.Services.AddSingleton<ISpectrogramWindowSource, SpectrogramWindowSource>();
        builder.Services.AddSingleton<RecordingReporter>();
        return builder;
    }
}
