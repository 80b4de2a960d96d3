using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Hosting;

namespace HbacAspire.ServiceDefaults.Grpc;

/// <summary>
/// Ends open streams when the service is asked to stop. Kestrel's graceful shutdown waits for every
/// request to finish, and a client stream (StreamEeg, StreamSpectrogram, WatchRun) never finishes by
/// itself: without this, SIGTERM waits out the AppHost's grace period, the service is SIGKILLed and
/// its clients see a broken connection. Here the stream handlers see their cancellation token fire on
/// ApplicationStopping and the call ends with <c>Unavailable</c> (retryable: reconnect elsewhere or later).
/// </summary>
public sealed class StreamShutdownInterceptor(IHostApplicationLifetime lifetime) : Interceptor
{
    public const string ShuttingDown = "the service is shutting down; reconnect";

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        RunAsync(context, stoppable => continuation(request, responseStream, stoppable));

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        RunAsync(context, stoppable => continuation(requestStream, responseStream, stoppable));

    private async Task RunAsync(ServerCallContext context, Func<ServerCallContext, Task> handler)
    {
        var stopping = lifetime.ApplicationStopping;
        if (stopping.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, ShuttingDown));
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, stopping);
        try
        {
            await handler(new StoppableServerCallContext(context, linked.Token));
        }
        catch (Exception exception) when (stopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested
                                          && exception is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            throw new RpcException(new Status(StatusCode.Unavailable, ShuttingDown));
        }
    }

    /// <summary>
    /// The call's context with a cancellation token that also fires when the service stops. gRPC
    /// resolves the service instance through <c>GetHttpContext()</c>, which for a context of another
    /// type looks in UserState under "__HttpContext" (its documented fallback for custom contexts).
    /// </summary>
    private sealed class StoppableServerCallContext : ServerCallContext
    {
        private const string HttpContextKey = "__HttpContext";

        private readonly ServerCallContext _inner;
        private readonly CancellationToken _cancellationToken;

        public StoppableServerCallContext(ServerCallContext inner, CancellationToken cancellationToken)
        {
            _inner = inner;
            _cancellationToken = cancellationToken;
            _inner.UserState[HttpContextKey] = _inner.GetHttpContext();
        }

        protected override string MethodCore => _inner.Method;
        protected override string HostCore => _inner.Host;
        protected override string PeerCore => _inner.Peer;
        protected override DateTime DeadlineCore => _inner.Deadline;
        protected override Metadata RequestHeadersCore => _inner.RequestHeaders;
        protected override CancellationToken CancellationTokenCore => _cancellationToken;
        protected override Metadata ResponseTrailersCore => _inner.ResponseTrailers;
        protected override AuthContext AuthContextCore => _inner.AuthContext;
        protected override IDictionary<object, object> UserStateCore => _inner.UserState;

        protected override Status StatusCore
        {
            get => _inner.Status;
            set => _inner.Status = value;
        }

        protected override WriteOptions? WriteOptionsCore
        {
            get => _inner.WriteOptions;
            set => _inner.WriteOptions = value;
        }

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => _inner.CreatePropagationToken(options);

        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => _inner.WriteResponseHeadersAsync(responseHeaders);
    }
}
