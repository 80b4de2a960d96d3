using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Hbac.Contracts;

namespace HbacAspire.ServiceDefaults.Metrics;

/// <summary>
/// Counts every gRPC call a service handles and records its duration (for streams: until the
/// stream ends), tagged with the method and the final status code.
/// </summary>
public sealed class GrpcMetricsInterceptor : Interceptor
{
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    public GrpcMetricsInterceptor(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(HbacInstruments.MeterName);
        _requests = meter.CreateCounter<long>(HbacInstruments.RpcRequests, "{call}", "gRPC calls handled");
        _duration = meter.CreateHistogram<double>(HbacInstruments.RpcDuration, "ms", "gRPC call duration");
    }

    /// <summary>A call refused before gRPC handled it (the API key middleware), counted as the interceptor counts calls.</summary>
    public void RecordRefused(string method, StatusCode status)
    {
        var tags = new TagList
        {
            { "rpc.method", method },
            { "rpc.grpc.status_code", (int)status },
        };
        _requests.Add(1, tags);
        _duration.Record(0, tags);
    }

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation) =>
        Measure(context, () => continuation(request, context));

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        Measure(context, () => continuation(requestStream, context));

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        Measure(context, async () => { await continuation(request, responseStream, context); return true; });

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        Measure(context, async () => { await continuation(requestStream, responseStream, context); return true; });

    private async Task<T> Measure<T>(ServerCallContext context, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        var status = StatusCode.OK;
        try
        {
            return await call();
        }
        catch (RpcException exception)
        {
            status = exception.StatusCode;
            throw;
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            status = StatusCode.Cancelled;
            throw;
        }
        catch
        {
            status = StatusCode.Unknown;
            throw;
        }
        finally
        {
            // A handler may also set the status on the context instead of throwing.
            if (status == StatusCode.OK && context.Status.StatusCode != StatusCode.OK)
            {
                status = context.Status.StatusCode;
            }
            var tags = new TagList
            {
                { "rpc.method", context.Method },
                { "rpc.grpc.status_code", (int)status },
            };
            _requests.Add(1, tags);
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, tags);
        }
    }
}
