using Grpc.Core;
using Grpc.Core.Interceptors;
using HbacAspire.ServiceDefaults.Requests;

namespace HbacAspire.ServiceDefaults.Grpc;

/// <summary>
/// The safety net behind <see cref="StatusDetail.Echo"/>: any status detail longer than
/// <see cref="StatusDetail.MaxDetailChars"/> (a reader's message quoting a long field, a path) is cut
/// before it is sent, so the client always receives the real status code, never ResourceExhausted from
/// its own trailer limit.
/// </summary>
public sealed class BoundedStatusInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (RpcException e) when (IsLong(e))
        {
            throw Bounded(e);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (RpcException e) when (IsLong(e))
        {
            throw Bounded(e);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (RpcException e) when (IsLong(e))
        {
            throw Bounded(e);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (RpcException e) when (IsLong(e))
        {
            throw Bounded(e);
        }
    }

    private static bool IsLong(RpcException e) => e.Status.Detail.Length > StatusDetail.MaxDetailChars;

    private static RpcException Bounded(RpcException e) =>
        new(new Status(e.StatusCode, StatusDetail.Bound(e.Status.Detail)), e.Trailers);
}
