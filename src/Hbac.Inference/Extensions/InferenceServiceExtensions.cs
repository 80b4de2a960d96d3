using Grpc.AspNetCore.Server;
using HbacAspire.ServiceDefaults.Streams;
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
    /// <summary>Options ("Hbac" section; its MaxMessageBytes is gRPC's receive limit), the open-stream limit, the model repository and its watcher, the micro-batcher and the window source.</summary>
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
        builder.Services.AddOptions<GrpcServiceOptions>()
            .Configure<IOptions<InferenceOptions>>((grpc, inference) => grpc.MaxReceiveMessageSize = inference.Value.MaxMessageBytes);
        builder.Services.AddSingleton(provider => new OpenStreamLimit(
            provider.GetRequiredService<IOptions<InferenceOptions>>().Value.MaxOpenStreams, InferenceOptions.MaxOpenStreamsKey));
        builder.Services.AddSingleton<ISpectrogramWindowSource, SpectrogramWindowSource>();
        builder.Services.AddSingleton<RecordingReporter>();
        return builder;
    }
}
