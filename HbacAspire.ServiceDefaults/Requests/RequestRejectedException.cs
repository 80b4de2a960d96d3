using Grpc.Core;

namespace HbacAspire.ServiceDefaults.Requests;

/// <summary>Why a request cannot be served; the gRPC layer maps each kind to one status code.</summary>
public enum Rejection
{
    /// <summary>A field holds a bad value (InvalidArgument).</summary>
    InvalidArgument,

    /// <summary>The file or id does not exist (NotFound).</summary>
    NotFound,

    /// <summary>A size or rate limit was exceeded (ResourceExhausted).</summary>
    LimitExceeded,

    /// <summary>The data is not in a state the request needs (FailedPrecondition).</summary>
    FailedPrecondition,
}

/// <summary>A request refused for a reason the caller can fix; the message starts with the field it concerns.</summary>
public sealed class RequestRejectedException(Rejection kind, string message) : Exception(message)
{
    public Rejection Kind { get; } = kind;

    /// <summary>The gRPC status for this refusal: each <see cref="Rejection"/> maps to one code, never Unknown.</summary>
    public RpcException ToRpcException() => new(new Status(Kind switch
    {
        Rejection.NotFound => StatusCode.NotFound,
        Rejection.LimitExceeded => StatusCode.ResourceExhausted,
        Rejection.FailedPrecondition => StatusCode.FailedPrecondition,
        _ => StatusCode.InvalidArgument,
    }, Message));
}
