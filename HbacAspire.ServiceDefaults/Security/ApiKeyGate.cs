using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Hbac.Contracts.Security;
using Microsoft.Extensions.Options;

namespace HbacAspire.ServiceDefaults.Security;

/// <summary>
/// The key rule, shared by the request middleware (before a message is read) and the interceptor: every
/// gRPC method but health and reflection needs <c>authorization: Bearer &lt;key&gt;</c>; none (or another
/// scheme) is <c>Unauthenticated</c>, another key <c>PermissionDenied</c>. Keys are compared as SHA-256
/// digests with a fixed-time comparison, so neither the time taken nor an early exit on length tells a
/// caller how much of a guess was right.
/// </summary>
public sealed class ApiKeyGate
{
    public const string MissingKey = "no API key: this service requires 'authorization: Bearer <key>'; the key is " + ApiKeys.Origin;

    public const string WrongKey = "wrong API key: the service's key is " + ApiKeys.Origin +
        " (a rotated key reaches a service when the AppHost restarts it)";

    // Probes (the AppHost's health checks, load balancers) and tools (grpcurl's listing) call these without a key.
    private static readonly string[] OpenServices = ["/grpc.health.v1.Health/", "/grpc.reflection.v1alpha.ServerReflection/", "/grpc.reflection.v1.ServerReflection/"];

    private readonly byte[]? _digest;

    public ApiKeyGate(IOptions<ApiKeyOptions> options)
    {
        var key = options.Value.ApiKey;
        _digest = string.IsNullOrEmpty(key) ? null : Digest(key);
    }

    /// <summary>Why a call of <paramref name="method"/> (<c>/package.Service/Method</c>) with this authorization header is refused, or null when it may go on.</summary>
    public Status? Refusal(string method, string? authorization)
    {
        if (_digest is null || OpenServices.Any(service => method.StartsWith(service, StringComparison.Ordinal)))
        {
            return null;
        }
        // The scheme is case-insensitive (RFC 9110); one space separates it from the key.
        if (authorization is null || authorization.Length <= ApiKeys.Scheme.Length + 1
            || !authorization.StartsWith(ApiKeys.Scheme + " ", StringComparison.OrdinalIgnoreCase))
        {
            return new Status(StatusCode.Unauthenticated, MissingKey);
        }
        var presented = Digest(authorization[(ApiKeys.Scheme.Length + 1)..].Trim());
        return CryptographicOperations.FixedTimeEquals(presented, _digest) ? null : new Status(StatusCode.PermissionDenied, WrongKey);
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
