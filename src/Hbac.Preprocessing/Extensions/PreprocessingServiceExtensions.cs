using System.Diagnostics.Metrics;
using Grpc.AspNetCore.Server;
using Hbac.Caching;
using Hbac.Preprocessing;
using Hbac.Preprocessing.Datasets;
using Hbac.Preprocessing.Spectrograms;
using HbacAspire.ServiceDefaults.Requests;
using HbacAspire.ServiceDefaults.Streams;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

public static class PreprocessingServiceExtensions
{
    /// <summary>
    /// Options ("Hbac" section: DataRoot, upload and stream limits), the data root, the spectrogram tensor
    /// store over the Redis cache, and the gRPC receive limit sized for the largest upload.
    /// </summary>
    public static IHostApplicationBuilder AddPreprocessingServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PreprocessingOptions>()
            .BindConfiguration(PreprocessingOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<GrpcServiceOptions>()
            .Configure<IOptions<PreprocessingOptions>>((grpc, preprocessing) =>
                grpc.MaxReceiveMessageSize = preprocessing.Value.MaxUploadBytes + PreprocessingOptions.MessageOverheadBytes);
        builder.Services.AddSingleton(provider => new DataRoot(provider.GetRequiredService<IOptions<PreprocessingOptions>>().Value.DataRoot));
        builder.Services.AddSingleton<ISpectrogramTensorStore>(provider => new SpectrogramTensorStore(
            provider.GetRequiredService<ITensorCache>(),
            provider.GetService<IConversionClaims>(),
            provider.GetRequiredService<IMeterFactory>(),
            provider.GetRequiredService<IOptions<TensorCacheOptions>>().Value.ClaimPollInterval));
        builder.Services.AddSingleton(provider => new OpenStreamLimit(
            provider.GetRequiredService<IOptions<PreprocessingOptions>>().Value.MaxOpenStreams, PreprocessingOptions.MaxOpenStreamsKey));
        builder.Services.AddSingleton<SpectrogramCatalog>();
        builder.Services.AddSingleton<DatasetPreparer>();
        return builder;
    }
}
