using Grpc.Core;
using Grpc.Core.Interceptors;
using Hbac.Contracts.Security;

namespace HbacAspire.ServiceDefaults.Security;

/// <summary>
/// The key rule (<see cref="ApiKeyGate"/>) at the gRPC layer. <see cref="ApiKeyMiddleware"/> already refuses
/// such calls before their message is read; this stays for hosts whose pipeline lacks the middleware
/// (a service mapped without the service defaults' start-up filter).
/// </summary>
public sealed class ApiKeyInterceptor(ApiKeyGate gate) : Interceptor
{
    public const string MissingKey = ApiKeyGate.MissingKey;

    public const string WrongKey = ApiKeyGate.WrongKey;

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Authorize(ServerCallContext context)
    {
        if (gate.Refusal(context.Method, context.RequestHeaders.GetValue(ApiKeys.HeaderName)) is { } refusal)
        {
            throw new RpcException(refusal);
        }
    }
}
