using Grpc.Core;
using Hbac.Eeg;
using HbacAspire.ServiceDefaults.Requests;

namespace Hbac.Preprocessing.Grpc;

/// <summary>Turns the refusals of the domain layer into gRPC statuses, so nothing escapes as Unknown.</summary>
internal static class RpcErrors
{
    public static async Task<T> GuardAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (ToRpc(e) is { } rpc)
        {
            throw rpc;
        }
    }

    public static RpcException? ToRpc(Exception exception) => exception switch
    {
        RequestRejectedException rejected => rejected.ToRpcException(),
        // Unreadable uploads and files: the reader's one line names the file and the problem.
        EegDataException data => new RpcException(new Status(StatusCode.InvalidArgument, data.Message)),
        _ => null,
    };
}
