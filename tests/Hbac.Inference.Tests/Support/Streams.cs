using Grpc.Core;
using Hbac.Contracts.V1;

namespace Hbac.Inference.Tests.Support;

internal static class Streams
{
    /// <summary>
    /// Sends <paramref name="requests"/> on a StreamEeg call the server refuses, and returns the status the
    /// call ended with. A write racing the server's refusal fails with whatever the client knows at that
    /// instant (often Cancelled without detail), so the answer is read from the response stream, which
    /// reports the server's own status once its trailers arrive.
    /// </summary>
    public static async Task<RpcException> RefusedAsync(AsyncDuplexStreamingCall<StreamEegRequest, StreamEegResponse> call, IEnumerable<StreamEegRequest> requests)
    {
        try
        {
            foreach (var request in requests)
            {
                await call.RequestStream.WriteAsync(request);
            }
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException)
        {
            // The call already ended; its status is read below.
        }
        return await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext())
            {
                Assert.Fail("a refused stream sent a reply");
            }
        });
    }
}
