using System.Globalization;
using System.Numerics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Hbac.Caching;
using Hbac.Contracts;
using Hbac.Contracts.Streaming;
using Hbac.Contracts.V1;
using Hbac.Eeg.Reports;
using Hbac.Eeg.Resampling;
using Hbac.Eeg.Windows;
using Hbac.Inference.Extensions;
using Hbac.Inference.Models;
using Hbac.Inference.Profiling;
using Hbac.Inference.Reports;
using Hbac.Inference.Scoring;
using Hbac.Inference.Streaming;
using Hbac.Onnx;
using HbacAspire.ServiceDefaults.Streams;
using Microsoft.Extensions.Options;
using ModelInputKind = Hbac.Onnx.ModelInputKind;

namespace Hbac.Inference.Grpc;

/// <summary>
/// hbac.v1.Inference: maps the wire messages onto the repository, the batcher and the stream windows.
/// Score and ScoreBatch go to the spectrogram model, StreamEeg to the EEG-window model.
/// </summary>
public sealed class InferenceService(
    IModelRepository models,
    MicroBatcher batcher,
    ISpectrogramWindowSource windows,
    IOptions<InferenceOptions> options,
    TimeProvider time,
    RecordingReporter reporter,
    StageProfile profile,
    WindowInputPool inputs,
    OpenStreamLimit openStreams,
    IModelAnnouncements announcements) : Contracts.V1.Inference.InferenceBase
{
    public override Task ScoreRecording(ScoreRecordingRequest request, IServerStreamWriter<ScoreRecordingResponse> responseStream, ServerCallContext context) =>
        Guard(async () =>
        {
            var sink = new RecordingReplies(responseStream, context.CancellationToken);
            var ct = context.CancellationToken;
            switch (request.SourceCase)
            {
                case ScoreRecordingRequest.SourceOneofCase.Path:
                    await reporter.ReportPathAsync(request.Path, request.StepSeconds, sink, ct);
                    break;
                case ScoreRecordingRequest.SourceOneofCase.Upload:
                    await reporter.ReportUploadAsync(request.Upload.FileName, request.Upload.Content.Memory, request.StepSeconds, sink, ct);
                    break;
                default:
                    throw new InvalidRequestException("source: set path or upload");
            }
            return true;
        });

    /// <summary>Maps the reporter's results onto the reply stream (one writer at a time: the reporter calls it in order).</summary>
    private sealed class RecordingReplies(IServerStreamWriter<ScoreRecordingResponse> stream, CancellationToken ct) : IRecordingReportSink
    {
        public Task ProgressAsync(double secondsRead, double durationSeconds) =>
            stream.WriteAsync(new ScoreRecordingResponse { Progress = new RecordingProgress { SecondsRead = secondsRead, DurationSeconds = durationSeconds } }, ct);

        public async Task SegmentsAsync(IReadOnlyList<Eeg.Reports.SegmentScore> segments)
        {
            foreach (var s in segments)
            {
                var probabilities = ClassProbabilities.FromSpan(s.Probabilities);
                await stream.WriteAsync(new ScoreRecordingResponse
                {
                    Segment = new RecordingSegment
                    {
                        StartSeconds = s.StartSeconds,
                        EndSeconds = s.EndSeconds,
                        Probabilities = probabilities,
                        TopClass = TopClassOf(probabilities, s.Quality),
                        Quality = s.Quality.Flag,
                        BadElectrodes = s.Quality.Details,
                    },
                }, ct);
            }
        }

        public Task SummaryAsync(string reportJson, string modelVersion) =>
            stream.WriteAsync(new ScoreRecordingResponse { Summary = new RecordingSummary { ReportJson = reportJson, ModelVersion = modelVersion } }, ct);
    }

    public override Task<ScoreResponse> Score(ScoreRequest request, ServerCallContext context) =>
        Guard(() => WithSpectrogramPoolingAsync(pooling => ScoreOneAsync(request, pooling, context.CancellationToken)));

    /// <summary>
    /// Scores with the inputs formed for the active spectrogram model's input pool. Inputs formed for the model active
    /// then and refused by a newer one that pools otherwise are formed again for it: the request is still at hand.
    /// </summary>
    private async Task<T> WithSpectrogramPoolingAsync<T>(Func<InputPooling, Task<T>> score)
    {
        try
        {
            return await score(models.ActivePooling(ModelInputKind.Spectrogram));
        }
        catch (InputPoolChangedException e)
        {
            return await score(e.ModelPooling);
        }
    }

    /// <summary>
    /// One window as the active spectrogram model reads it: pooled when its first node pools (the quick profile's
    /// 6 x 6, 36x fewer values to fill, copy into a batch and read; its network then runs without that node).
    /// </summary>
    private async Task<ScoreResponse> ScoreOneAsync(ScoreRequest request, InputPooling pooling, CancellationToken ct)
    {
        var receive = StageStart.Now();
        // A pooled array (1.44 MB for a whole input, on the large-object heap), as a stream's windows use: at a
        // hundred Score calls a second, a new one per call kept the garbage collector busy with full collections.
        var input = inputs.Rent(pooling.Size);
        await FillInputAsync(request, "", input, pooling, ct);
        profile.Record(ModelInputKind.Spectrogram, ServingStage.Receive, 1, receive);
        var scored = await batcher.ScoreAsync(ModelInputKind.Spectrogram, input, pooling, ct);
        // Scored: nothing reads it any more (on failure it is left to the collector; the batcher may still read it).
        inputs.Return(input);
        var reply = StageStart.Now();
        var response = ToResponse(scored);
        profile.Record(ModelInputKind.Spectrogram, ServingStage.Reply, 1, reply);
        return response;
    }

    public override Task<ScoreBatchResponse> ScoreBatch(ScoreBatchRequest request, ServerCallContext context) => Guard(async () =>
    {
        var limit = options.Value.MaxBatchItems;
        if (request.Items.Count == 0)
        {
            throw new InvalidRequestException("items: empty; send at least one window");
        }
        if (request.Items.Count > limit)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"items: {request.Items.Count} windows, this server scores at most {limit} per batch"));
        }
        return await WithSpectrogramPoolingAsync(pooling => ScoreManyAsync(request, pooling, context.CancellationToken));
    });

    private async Task<ScoreBatchResponse> ScoreManyAsync(ScoreBatchRequest request, InputPooling pooling, CancellationToken ct)
    {
        var size = pooling.Size;
        var batch = new float[request.Items.Count * size];
        for (var i = 0; i < request.Items.Count; i++)
        {
            await FillInputAsync(request.Items[i], $"items[{i}].", batch.AsMemory(i * size, size), pooling, ct);
        }
        // One model evaluation for the whole batch (so one model version, as the contract promises), queued
        // with the single windows: the same overload limit covers both, and they never run side by side.
        var results = await batcher.ScoreManyAsync(ModelInputKind.Spectrogram, batch, request.Items.Count, pooling, ct);
        var response = new ScoreBatchResponse { ModelVersion = results[0].ModelVersion };
        response.Results.AddRange(results.Select(ToResponse));
        return response;
    }

    public override Task StreamEeg(IAsyncStreamReader<StreamEegRequest> requestStream, IServerStreamWriter<StreamEegResponse> responseStream, ServerCallContext context) =>
        Guard(async () =>
        {
            // A place among Hbac:MaxOpenStreams, given back however the call ends.
            using var place = openStreams.Enter();
            // Refused before any signal is taken: a spectrogram model cannot score a stream (DESIGN.md section 9).
            if (models.ActiveVersion(ModelInputKind.Eeg) is null)
            {
                throw new NoModelLoadedException(ModelInputKind.Eeg);
            }
            var ct = context.CancellationToken;
            EegWindowStream? stream = null;
            // Each reply's segment gets the report's signal-quality verdict; a minute of seconds is plenty for segments 20-30 s old.
            SignalQualityTracker? quality = null;
            long callStart = 0;
            var limiter = new StreamRateLimiter(options.Value.StreamMaxSamplesPerSecond, time);
            var interleaved = Array.Empty<float>();
            // Signal at another rate than 200 Hz is resampled here, as `hbac stream` resamples an EDF.
            InterleavedResampler? resampler = null;
            var resampled = Array.Empty<float>();

            // The first length values of signal, interleaved at 200 Hz, into the stream; a reply for every window they complete.
            async Task ReplyAsync(float[] signal, int length, StageStart receive, StageStart received)
            {
                quality!.AppendInterleaved(signal.AsSpan(0, length), EegStream.ChannelCount);
                // Windows as the active EEG model reads them: pooled when its first node pools (30x fewer values).
                stream!.Pooling = models.ActivePooling(ModelInputKind.Eeg);
                var windows = stream.AppendInterleaved(signal.AsSpan(0, length));
                profile.Record(ModelInputKind.Eeg, ServingStage.Window, windows.Count, received);
                profile.RecordBetween(ModelInputKind.Eeg, ServingStage.Receive, windows.Count, receive, received);
                foreach (var window in windows)
                {
                    var scored = await ScoreStreamWindowAsync(window, ct);
                    // Scored: nothing reads the input any more.
                    inputs.Return(window.Input);
                    var reply = StageStart.Now();
                    var probabilities = ClassProbabilities.FromSpan(scored.Probabilities);
                    var segmentQuality = QualityOf(quality!, window, callStart);
                    // Serialised here; the write only waits when the connection is flow-controlled, and the
                    // reply's CPU is read only when it ends on the thread it began on.
                    await responseStream.WriteAsync(new StreamEegResponse
                    {
                        WindowEndSeconds = window.WindowEndSeconds,
                        WindowSeconds = EegStream.ScoredWindowSeconds,
                        SegmentStartSeconds = window.SegmentStartSeconds,
                        SegmentEndSeconds = window.SegmentEndSeconds,
                        LagSeconds = window.LagSeconds + (resampler?.PendingSeconds ?? 0),
                        Probabilities = probabilities,
                        TopClass = TopClassOf(probabilities, segmentQuality),
                        ModelVersion = scored.ModelVersion,
                        Quality = segmentQuality.Flag,
                        BadElectrodes = segmentQuality.Details,
                    }, ct);
                    profile.Record(ModelInputKind.Eeg, ServingStage.Reply, 1, reply);
                }
            }

            // What the call has taken in, at its own rate: a later message's first_sample_index is checked against it.
            long messages = 0, callSamples = 0;
            while (await requestStream.MoveNext(ct))
            {
                var receive = StageStart.Now();
                messages++;
                var firstSample = stream is null ? FirstSampleIndex(requestStream.Current.FirstSampleIndex) : 0;
                if (stream is null && SampleRate(requestStream.Current.SampleRateHz) is { } rate)
                {
                    resampler = new InterleavedResampler(EegStream.ChannelCount, rate, EegStream.SampleRateHz);
                }
                if (stream is not null)
                {
                    CheckLaterMessage(requestStream.Current, messages, resampler?.FromRateHz ?? EegStream.SampleRateHz, callStart, callSamples);
                }
                var chunk = requestStream.Current.Chunk ?? throw new InvalidRequestException("chunk: required");
                var samples = SampleCount(chunk);
                callSamples += samples;
                // The limit is in seconds of signal: samples at another rate count as the 200-Hz samples they become.
                if (!limiter.TryTake(resampler is null ? samples : (int)Math.Ceiling(samples * EegStream.SampleRateHz / resampler.FromRateHz)))
                {
                    throw new RpcException(new Status(StatusCode.ResourceExhausted,
                        $"chunk: stream rate over {limiter.SamplesPerSecond} samples per second ({limiter.SamplesPerSecond / (double)EegStream.SampleRateHz:0.#}x real time)"));
                }
                var length = samples * EegStream.ChannelCount;
                if (interleaved.Length < length)
                {
                    interleaved = new float[length];
                }
                EegChunkSamples.CopyInterleaved(chunk, samples, interleaved);
                // Counted per window once the windows are known: a chunk that completes none still costs.
                // Resampling, like the window's preprocessing, is the window stage's.
                var received = StageStart.Now();
                // The first message says where the call lies in the stream (a resumed stream keeps its clock).
                // Its ~0.8 MB of buffers are the window stage's, not the chunk's receiving.
                if (stream is null)
                {
                    stream = new EegWindowStream(EegStream.ChannelCount, newInput: inputs.Rent, firstSample: firstSample);
                    quality = new SignalQualityTracker(keepSeconds: QualitySecondsKept);
                    callStart = firstSample;
                }
                if (resampler is null)
                {
                    await ReplyAsync(interleaved, length, receive, received);
                }
                else
                {
                    var count = Resampled(resampler.Push(interleaved.AsSpan(0, length)), ref resampled);
                    await ReplyAsync(resampled, count, receive, received);
                }
            }
            // The client has sent everything: the resampler hands out the samples its filter was waiting for.
            if (resampler is not null && stream is not null)
            {
                var now = StageStart.Now();
                var count = Resampled(resampler.Finish(), ref resampled);
                await ReplyAsync(resampled, count, now, now);
            }
            return true;
        });

    /// <summary>
    /// A segment's top class for StreamEeg and ScoreRecording replies: none (unspecified) when it is not scored, as
    /// timeline.csv leaves it blank, so a client alarming on top_class stays quiet without usable signal.
    /// </summary>
    private static EegClass TopClassOf(ClassProbabilities probabilities, SegmentQuality quality) =>
        quality.Scored ? probabilities.TopClass() : EegClass.Unspecified;

    /// <summary>Seconds of per-electrode statistics a stream keeps for its replies' quality (segments end 20 s or more before the newest sample).</summary>
    private const int QualitySecondsKept = 64;

    /// <summary>
    /// The quality of a window's segment: the whole seconds, counted from this call's first sample, that the
    /// segment overlaps (a resumed stream's grid need not fall on them).
    /// </summary>
    private static SegmentQuality QualityOf(SignalQualityTracker quality, EegStreamWindow window, long callStart)
    {
        var start = (window.SegmentStartSeconds * EegStream.SampleRateHz - callStart) / EegStream.SampleRateHz;
        var end = (window.SegmentEndSeconds * EegStream.SampleRateHz - callStart) / EegStream.SampleRateHz;
        return quality.Segment((int)Math.Floor(start + 1e-9), (int)Math.Ceiling(end - 1e-9));
    }

    public override Task<Contracts.V1.ServingProfile> GetServingProfile(GetServingProfileRequest request, ServerCallContext context)
    {
        var (stages, covered) = profile.Snapshot(request.Reset);
        var response = new Contracts.V1.ServingProfile { Seconds = covered.TotalSeconds };
        response.Stages.AddRange(stages.Select(s => new StageCost
        {
            InputKind = s.Kind == ModelInputKind.Eeg ? Contracts.V1.ModelInputKind.Eeg : Contracts.V1.ModelInputKind.Spectrogram,
            Stage = s.Stage.Name(),
            Windows = s.Windows,
            WallMs = s.WallMs,
            CpuMs = s.CpuMs,
            CpuWindows = s.CpuWindows,
        }));
        return Task.FromResult(response);
    }

    /// <summary>
    /// An overloaded service ends the stream with ResourceExhausted rather than skipping the reply: a
    /// monitor that silently misses windows shows stale probabilities as if they were current, while an
    /// ended stream is visible at once, and the client can alarm, back off and reconnect (or go to
    /// another replica) knowing exactly which window was not scored.
    /// </summary>
    private async Task<ScoredWindow> ScoreStreamWindowAsync(EegStreamWindow window, CancellationToken ct)
    {
        try
        {
            return await batcher.ScoreAsync(ModelInputKind.Eeg, window.Input, window.Pooling, ct);
        }
        catch (InputPoolChangedException e)
        {
            // Formed for the model active then, refused by a newer one that pools otherwise: a new call forms its windows anew.
            throw new RpcException(new Status(StatusCode.Unavailable,
                string.Create(CultureInfo.InvariantCulture, $"window ending at {window.WindowEndSeconds:0.###} s: the EEG model changed to one whose input pool is {e.ModelPooling}, not {window.Pooling}; the stream ends here, reconnect to resume")));
        }
        catch (ScoringOverloadedException e)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                string.Create(CultureInfo.InvariantCulture, $"window ending at {window.WindowEndSeconds:0.###} s: {e.Message}; the stream ends here, reconnect to resume")));
        }
    }

    public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        var response = new ListModelsResponse
        {
            ActiveVersion = models.ActiveVersion(ModelInputKind.Spectrogram) ?? "",
            ActiveEegVersion = models.ActiveVersion(ModelInputKind.Eeg) ?? "",
        };
        response.Models.AddRange(models.List().Select(ToModelInfo));
        return Task.FromResult(response);
    }

    public override Task<ModelInfo> ActivateModel(ActivateModelRequest request, ServerCallContext context) => Guard(async () =>
    {
        if (string.IsNullOrWhiteSpace(request.Version))
        {
            throw new InvalidRequestException("version: required");
        }
        var activated = await models.ActivateAsync(request.Version, context.CancellationToken);
        // Other replicas read the pin at their next refresh; the announcement makes that now rather than at the next poll.
        await announcements.PublishAsync(activated.Version, CancellationToken.None);
        return ToModelInfo(activated);
    });

    // Writes the request's model input, checked and pooled as pooling says, into destination (one window's values).
    private async Task FillInputAsync(ScoreRequest request, string field, Memory<float> destination, InputPooling pooling, CancellationToken ct)
    {
        switch (request.InputCase)
        {
            case ScoreRequest.InputOneofCase.Tensor:
                TensorInput(request.Tensor, field + "tensor", destination.Span, pooling);
                return;
            case ScoreRequest.InputOneofCase.Window:
                float[] window;
                try
                {
                    window = await windows.GetWindowAsync(request.Window.SpectrogramId, request.Window.OffsetSeconds, ct);
                }
                catch (Exception e) when (e is InvalidRequestException or SpectrogramNotFoundException && field.Length > 0)
                {
                    throw e is SpectrogramNotFoundException
                        ? new RpcException(new Status(StatusCode.NotFound, field + e.Message))
                        : new InvalidRequestException(field + e.Message);
                }
                if (pooling.IsNone)
                {
                    window.CopyTo(destination);
                }
                else
                {
                    pooling.Pool(window, 1, destination.Span);
                }
                return;
            default:
                throw new InvalidRequestException($"{field}input: set tensor or window");
        }
    }

    private static void TensorInput(Tensor tensor, string field, Span<float> destination, InputPooling pooling)
    {
        var shape = tensor.Shape;
        var expected = ModelInput.Shape;
        var (rows, columns) = (expected[1], expected[2]);
        // The model input is one standardised plane repeated on its 3 channels, so a client may send the plane alone
        // (a third of the bytes: a Score call's cost is mostly receiving its tensor) and have it repeated here.
        var full = shape.Count switch
        {
            3 when shape[0] == expected[0] && shape[1] == rows && shape[2] == columns => true,
            4 when shape[0] == 1 && shape[1] == expected[0] && shape[2] == rows && shape[3] == columns => true,
            _ => false,
        };
        var plane = shape.Count switch
        {
            2 when shape[0] == rows && shape[1] == columns => true,
            3 when shape[0] == 1 && shape[1] == rows && shape[2] == columns => true,
            4 when shape[0] == 1 && shape[1] == 1 && shape[2] == rows && shape[3] == columns => true,
            _ => false,
        };
        if (!full && !plane)
        {
            throw new InvalidRequestException($"{field}.shape: [{string.Join(", ", shape)}], expected the model input [3, 400, 300] or [1, 3, 400, 300], or its plane [400, 300], [1, 400, 300] or [1, 1, 400, 300]");
        }
        ReadOnlySpan<float> received;
        try
        {
            // Read where the message holds it: each value is checked, then copied or pooled once.
            received = tensor.FloatSpan();
        }
        catch (InvalidTensorException e)
        {
            throw new InvalidRequestException($"{field}.{e.Message}");
        }
        if (FirstOutOfRange(received) is { } bad)
        {
            throw new InvalidRequestException(string.Create(CultureInfo.InvariantCulture,
                $"{field}.data[{bad}]: {received[bad]:R} is outside [-{ModelInput.MaxAbsValue:0.#}, {ModelInput.MaxAbsValue:0.#}], the range of a normalised model input (finite, standardised per window); send the normalised model input"));
        }
        var planeOut = pooling.PooledHeight * pooling.PooledWidth;
        for (var channel = 0; channel < ModelInput.Channels; channel++)
        {
            var into = destination.Slice(channel * planeOut, planeOut);
            if (plane && channel > 0)
            {
                destination[..planeOut].CopyTo(into);
                continue;
            }
            var from = received.Slice(plane ? 0 : channel * ModelInput.PlaneElementCount, ModelInput.PlaneElementCount);
            if (pooling.IsNone)
            {
                from.CopyTo(into);
            }
            else
            {
                pooling.PoolPlane(from, into);
            }
        }
    }

    /// <summary>
    /// The index of the first value that is NaN, infinite or beyond <see cref="ModelInput.MaxAbsValue"/>, or
    /// null. It runs on all 360 000 values of every uploaded window (2 % of the service's CPU in Score
    /// throughput as a scalar loop, by perf), so whole vectors are checked first and the scalar loop finds the
    /// exact index from the first vector that fails. (NaN fails the comparison, so it is caught with the rest.)
    /// </summary>
    internal static int? FirstOutOfRange(ReadOnlySpan<float> values)
    {
        var limit = ModelInput.MaxAbsValue;
        var start = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var bound = new Vector<float>(limit);
            for (; start <= values.Length - Vector<float>.Count; start += Vector<float>.Count)
            {
                if (!Vector.LessThanOrEqualAll(Vector.Abs(new Vector<float>(values[start..])), bound))
                {
                    break;
                }
            }
        }
        for (var i = start; i < values.Length; i++)
        {
            if (!(MathF.Abs(values[i]) <= limit))
            {
                return i;
            }
        }
        return null;
    }

    /// <summary>Copies a resampler's outputs (valid only until its next call) into a reused buffer; their count.</summary>
    private static int Resampled(ReadOnlySpan<float> outputs, ref float[] buffer)
    {
        if (buffer.Length < outputs.Length)
        {
            buffer = new float[outputs.Length];
        }
        outputs.CopyTo(buffer);
        return outputs.Length;
    }

    public const double MinSampleRateHz = 64;
    public const double MaxSampleRateHz = 4096;

    /// <summary>The rate a stream's samples are at when it is not 200 Hz; null for 200 Hz (0, the default, included).</summary>
    private static double? SampleRate(double rateHz) =>
        rateHz == 0 || rateHz == EegStream.SampleRateHz ? null
        : double.IsFinite(rateHz) && rateHz is >= MinSampleRateHz and <= MaxSampleRateHz ? rateHz
        : throw new InvalidRequestException(string.Create(CultureInfo.InvariantCulture,
            $"sample_rate_hz: {rateHz} must be 0 (200 Hz) or within {MinSampleRateHz}-{MaxSampleRateHz} Hz"));

    /// <summary>2^40 samples: 174 years of signal at 200 Hz, so the stream's seconds stay exact in a double.</summary>
    public const long MaxFirstSampleIndex = 1L << 40;

    /// <summary>
    /// Only a call's first message sets its rate and where it starts in the stream. A later message may leave them
    /// 0 or repeat what holds for it (the call's rate; the 200-Hz index its own first sample has); anything else is
    /// refused, since reading it as the call's would score the signal at the wrong rate or times, and ignoring it
    /// would hide a client's lost or repeated chunk.
    /// </summary>
    private static void CheckLaterMessage(StreamEegRequest request, long message, double callRateHz, long callStart, long callSamples)
    {
        if (request.SampleRateHz != 0 && request.SampleRateHz != callRateHz)
        {
            throw new InvalidRequestException(string.Create(CultureInfo.InvariantCulture,
                $"sample_rate_hz: {request.SampleRateHz:R} in message {message} of the call, whose rate its first message set to {callRateHz:R} Hz; a call's rate is fixed (leave it 0 in later messages, or repeat it)"));
        }
        if (request.FirstSampleIndex != 0)
        {
            var starts = callStart + callSamples * EegStream.SampleRateHz / callRateHz;
            if (Math.Abs(request.FirstSampleIndex - starts) > 1e-6)
            {
                throw new InvalidRequestException(string.Create(CultureInfo.InvariantCulture,
                    $"first_sample_index: {request.FirstSampleIndex} in message {message} of the call, but that message starts at {starts:0.###} (200-Hz samples since the stream began: the call's start, {callStart}, plus the {callSamples} samples at {callRateHz:R} Hz before it); only the call's first message sets it (leave it 0 in later messages, or repeat where each starts)"));
            }
        }
    }

    private static long FirstSampleIndex(long index) => index is >= 0 and <= MaxFirstSampleIndex
        ? index
        : throw new InvalidRequestException(string.Create(CultureInfo.InvariantCulture,
            $"first_sample_index: {index} must lie within 0..{MaxFirstSampleIndex} (samples since the stream began)"));

    private static int SampleCount(EegChunk chunk)
    {
        try
        {
            return EegChunkSamples.Count(chunk);
        }
        catch (InvalidEegChunkException e)
        {
            throw new InvalidRequestException(e.Message);
        }
    }

    private static ScoreResponse ToResponse(ScoredWindow scored)
    {
        var probabilities = ClassProbabilities.FromSpan(scored.Probabilities);
        return new ScoreResponse { Probabilities = probabilities, TopClass = probabilities.TopClass(), ModelVersion = scored.ModelVersion };
    }

    private static ModelInfo ToModelInfo(ModelVersionInfo model)
    {
        var info = new ModelInfo
        {
            Version = model.Version,
            Active = model.Active,
            Architecture = model.Card.Model switch
            {
                "mobilenetv3" => ModelArchitecture.MobilenetV3Large,
                "efficientnetv2b2" => ModelArchitecture.EfficientnetV2B2,
                _ => ModelArchitecture.Unspecified,
            },
            TrainingRunId = model.Card.TrainingRunId ?? "",
            // Each file's own: the int8 row shows the int8 model's validation KL measured by its drift gate.
            ValidationLoss = model.Precision == Hbac.Onnx.ModelPrecision.Int8 ? model.Card.Int8ValidationLoss : model.Card.ValidationLoss,
            Valid = model.Valid,
            InvalidReason = model.InvalidReason ?? "",
            InputKind = model.Kind == ModelInputKind.Eeg ? Contracts.V1.ModelInputKind.Eeg : Contracts.V1.ModelInputKind.Spectrogram,
            ExecutionProvider = model.ExecutionProvider ?? "",
            Precision = model.Precision.Name(),
        };
        if (model.Card.CreatedUtc is { } created)
        {
            info.CreatedAt = Timestamp.FromDateTimeOffset(created);
        }
        info.InputShape.AddRange(model.InputShape);
        return info;
    }

    /// <summary>Turns the domain's exceptions into specific status codes; nothing escapes as Unknown.</summary>
    private static async Task<T> Guard<T>(Func<Task<T>> body)
    {
        try
        {
            return await body();
        }
        catch (InvalidRequestException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
        catch (HbacAspire.ServiceDefaults.Requests.RequestRejectedException e)
        {
            throw e.ToRpcException();
        }
        catch (SpectrogramNotFoundException e)
        {
            throw new RpcException(new Status(StatusCode.NotFound, e.Message));
        }
        catch (ModelVersionNotFoundException e)
        {
            throw new RpcException(new Status(StatusCode.NotFound, e.Message));
        }
        catch (ScoringOverloadedException e)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, e.Message));
        }
        catch (ModelOutputException e)
        {
            // The served model answered NaN or infinity for an input within the contract: a fault of the model, not of the request.
            throw new RpcException(new Status(StatusCode.Internal, $"scoring failed: {e.Message}"));
        }
        catch (Exception e) when (e is NoModelLoadedException or ModelRejectedException or ScoringUnavailableException)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
        catch (Exception e) when (e is not (RpcException or OperationCanceledException))
        {
            // A model that fails at run time (e.g. a wrong output size): say so rather than Unknown.
            throw new RpcException(new Status(StatusCode.Internal, $"scoring failed: {e.Message.Split('\n')[0].Trim()}"));
        }
    }
}
