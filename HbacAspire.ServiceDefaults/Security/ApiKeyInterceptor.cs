using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Hbac.Contracts.Security;
using Microsoft.Extensions.Options;

namespace HbacAspire.ServiceDefaults.Security;

/// <summary>
/// Every RPC but gRPC health and reflection must carry <c>authorization: Bearer &lt;key&gt;</c>: none (or
/// another scheme) is <c>Unauthenticated</c>, another key <c>PermissionDenied</c>, both before the
/// handler runs. Keys are compared as SHA-256 digests with a fixed-time comparison, so neither the
/// time taken nor an early exit on length tells a caller how much of a guess was right.
/// </summary>
public sealed class ApiKeyInterceptor : Interceptor
{
    public const string MissingKey = "no API key: this service requires 'authorization: Bearer <key>'; the key is " + ApiKeys.Origin;

    public const string WrongKey = "wrong API key: the service's key is " + ApiKeys.Origin +
        " (a rotated key reaches a service when the AppHost restarts it)";

    // Probes (the AppHost's health checks, load balancers) and tools (grpcurl's listing) call these without a key.
    private static readonly string[] OpenServices = ["/grpc.health.v1.Health/", "/grpc.reflection.v1alpha.ServerReflection/", "/grpc.reflection.v1.ServerReflection/"];

    private readonly byte[]? _digest;

    public ApiKeyInterceptor(IOptions<ApiKeyOptions> options)
    {
        var key = options.Value.ApiKey;
        _digest = string.IsNullOrEmpty(key) ? null : Digest(key);
    }

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
        if (_digest is null || OpenServices.Any(service => context.Method.StartsWith(service, StringComparison.Ordinal)))
        {
            return;
        }
        var header = context.RequestHeaders.GetValue(ApiKeys.HeaderName);
        // The scheme is case-insensitive (RFC 9110); one space separates it from the key.
        if (header is null || header.Length <= ApiKeys.Scheme.Length + 1
            || !header.StartsWith(ApiKeys.Scheme + " ", StringComparison.OrdinalIgnoreCase))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, MissingKey));
        }
        var presented = Digest(header[(ApiKeys.Scheme.Length + 1)..].Trim());
        if (!CryptographicOperations.FixedTimeEquals(presented, _digest))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, WrongKey));
        }
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
