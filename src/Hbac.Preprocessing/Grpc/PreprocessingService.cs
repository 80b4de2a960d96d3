using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Hbac.Contracts.V1;
using Hbac.Eeg.Spectrograms;
using Hbac.Preprocessing.Datasets;
using Hbac.Preprocessing.Spectrograms;
using Hbac.Preprocessing.Streaming;
using HbacAspire.ServiceDefaults.Requests;
using HbacAspire.ServiceDefaults.Streams;
using Microsoft.Extensions.Options;

namespace Hbac.Preprocessing.Grpc;

/// <summary>The hbac.v1.Preprocessing service: maps requests to the catalog, preparer and stream session, and back.</summary>
public sealed class PreprocessingService(
    SpectrogramCatalog catalog, DatasetPreparer preparer, IOptions<PreprocessingOptions> options, OpenStreamLimit openStreams)
    : Contracts.V1.Preprocessing.PreprocessingBase
{
    public override Task<ConvertSpectrogramResponse> ConvertSpectrogram(ConvertSpectrogramRequest request, ServerCallContext context) =>
        RpcErrors.GuardAsync(async () =>
        {
            var spectrogram = request.SourceCase switch
            {
                ConvertSpectrogramRequest.SourceOneofCase.Path =>
                    await catalog.ConvertFileAsync(request.Path, refresh: false, context.CancellationToken),
                ConvertSpectrogramRequest.SourceOneofCase.Content =>
                    await catalog.ConvertUploadAsync(request.Content.Memory, request.FileName, context.CancellationToken),
                _ => throw new RequestRejectedException(Rejection.InvalidArgument, "source: set path or content"),
            };
            return ToResponse(spectrogram, request.IncludeTensor);
        });

    private static ConvertSpectrogramResponse ToResponse(StoredSpectrogram spectrogram, bool includeTensor)
    {
        var response = new ConvertSpectrogramResponse
        {
            SpectrogramId = spectrogram.ContentHash,
            TimeColumns = spectrogram.Columns,
            DurationSeconds = spectrogram.DurationSeconds,
            CacheHit = spectrogram.FromCache,
        };
        if (includeTensor)
        {
            response.Spectrogram = Tensor.FromFloats([SpectrogramLayout.Rows, spectrogram.Columns], spectrogram.Values);
        }
        return response;
    }

    public override Task<ConvertSpectrogramResponse> ConvertRecording(ConvertRecordingRequest request, ServerCallContext context) =>
        RpcErrors.GuardAsync(async () =>
        {
            var spectrogram = request.SourceCase switch
            {
                ConvertRecordingRequest.SourceOneofCase.Path =>
                    await catalog.ConvertRecordingFileAsync(request.Path, context.CancellationToken),
                ConvertRecordingRequest.SourceOneofCase.Content =>
                    await catalog.ConvertRecordingUploadAsync(request.Content.Memory, request.FileName, context.CancellationToken),
                _ => throw new RequestRejectedException(Rejection.InvalidArgument, "source: set path or content"),
            };
            return ToResponse(spectrogram, request.IncludeTensor);
        });

    public override Task<GetWindowResponse> GetWindow(GetWindowRequest request, ServerCallContext context) =>
        RpcErrors.GuardAsync(async () =>
        {
            var window = await catalog.GetWindowAsync(request.SpectrogramId, request.OffsetSeconds, context.CancellationToken);
            return new GetWindowResponse
            {
                Input = Tensor.FromFloats(ModelInputShape, window.Values),
                OffsetSeconds = window.OffsetSeconds,
                CacheHit = window.FromCache,
            };
        });

    public override Task PrepareDataset(
        PrepareDatasetRequest request, IServerStreamWriter<PrepareDatasetUpdate> responseStream, ServerCallContext context) =>
        RpcErrors.GuardAsync(async () =>
        {
            var result = await preparer.PrepareAsync(
                request.Folder, request.MaxFiles, request.Force,
                progress => responseStream.WriteAsync(new PrepareDatasetUpdate { Progress = ToProto(progress) }, context.CancellationToken),
                context.CancellationToken);
            await responseStream.WriteAsync(new PrepareDatasetUpdate { Result = ToProto(result) }, context.CancellationToken);
            return true;
        });

    public override Task StreamSpectrogram(
        IAsyncStreamReader<StreamSpectrogramRequest> requestStream, IServerStreamWriter<StreamSpectrogramResponse> responseStream,
        ServerCallContext context) =>
        RpcErrors.GuardAsync(async () =>
        {
            // The place is given back however the call ends; the session is garbage then too.
            using var place = openStreams.Enter();
            var session = new SpectrogramStreamSession(options.Value.MaxStreamSamplesPerSecond, options.Value.StreamBurstSamples);
            await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
            {
                foreach (var (first, columns) in session.Append(request.Chunk))
                {
                    await WriteColumnsAsync(responseStream, columns, first, context.CancellationToken);
                }
            }
            var (last, rest) = session.Complete();
            await WriteColumnsAsync(responseStream, rest, last, context.CancellationToken);
            return true;
        });

    private static readonly int[] ModelInputShape = [Contracts.ModelInput.Channels, Contracts.ModelInput.FrequencyRows, Contracts.ModelInput.TimeColumns];

    private static async Task WriteColumnsAsync(
        IServerStreamWriter<StreamSpectrogramResponse> responseStream, Spectrogram columns, int firstIndex, CancellationToken cancellationToken)
    {
        if (columns.Columns == 0)
        {
            return;
        }
        await responseStream.WriteAsync(new StreamSpectrogramResponse
        {
            Columns = Tensor.FromFloats([SpectrogramLayout.Rows, columns.Columns], columns.Values),
            FirstColumnIndex = firstIndex,
            FirstColumnTimeSeconds = columns.Times[0],
        }, cancellationToken);
    }

    private static PrepareDatasetProgress ToProto(DatasetProgress progress) => new()
    {
        FilesDone = progress.FilesDone,
        FilesTotal = progress.FilesTotal,
        CacheHits = progress.CacheHits,
        CurrentFile = progress.CurrentFile,
        FilesPerSecond = progress.FilesPerSecond,
        Eta = Duration.FromTimeSpan(progress.Eta),
        FilesConverted = progress.FilesConverted,
        FilesConvertedElsewhere = progress.FilesConvertedElsewhere,
        FilesWaiting = progress.FilesWaiting,
        FilesFailed = progress.FilesFailed,
    };

    private static PrepareDatasetResult ToProto(DatasetResult result) => new()
    {
        FilesConverted = result.FilesConverted,
        CacheHits = result.CacheHits,
        FilesFailed = result.Errors.Count,
        Errors = { result.Errors.Select(e => new FileError { File = e.File, Message = e.Message }) },
        Elapsed = Duration.FromTimeSpan(result.Elapsed),
        FilesTotal = result.FilesTotal,
        FilesConvertedElsewhere = result.FilesConvertedElsewhere,
        FilesConvertedWithoutClaim = result.FilesConvertedWithoutClaim,
        Complete = result.Complete,
    };
}
