using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;

namespace Hbac.Tests.Grpc;

/// <summary>
/// Calls every RPC a service descriptor declares with an empty request (raw bytes, so any RPC, including
/// ones added later), and the open health and reflection services: what the API-key tests of each service use.
/// </summary>
internal static class RpcProbe
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    /// <summary>Each RPC of <paramref name="service"/> and the status its call ended with.</summary>
    public static async Task<IReadOnlyList<(string Method, StatusCode Status)>> CallEveryRpcAsync(GrpcChannel channel, ServiceDescriptor service)
    {
        var results = new List<(string, StatusCode)>();
        foreach (var method in service.Methods)
        {
            results.Add(($"{service.FullName}/{method.Name}", await CallAsync(channel.CreateCallInvoker(), method)));
        }
        return results;
    }

    /// <summary>The status of one call with an empty request (and, for a client stream, no messages), within 30 s.</summary>
    public static async Task<StatusCode> CallAsync(CallInvoker invoker, MethodDescriptor method)
    {
        var type = (method.IsClientStreaming, method.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (false, true) => MethodType.ServerStreaming,
            (true, false) => MethodType.ClientStreaming,
            (true, true) => MethodType.DuplexStreaming,
        };
        var raw = new Method<byte[], byte[]>(type, method.Service.FullName, method.Name, Bytes, Bytes);
        var options = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30));
        try
        {
            switch (type)
            {
                case MethodType.Unary:
                    await invoker.AsyncUnaryCall(raw, null, options, []);
                    break;
                case MethodType.ServerStreaming:
                    using (var call = invoker.AsyncServerStreamingCall(raw, null, options, []))
                    {
                        while (await call.ResponseStream.MoveNext(CancellationToken.None))
                        {
                        }
                    }
                    break;
                case MethodType.ClientStreaming:
                    using (var call = invoker.AsyncClientStreamingCall(raw, null, options))
                    {
                        await call.RequestStream.CompleteAsync();
                        await call.ResponseAsync;
                    }
                    break;
                default:
                    using (var call = invoker.AsyncDuplexStreamingCall(raw, null, options))
                    {
                        await call.RequestStream.CompleteAsync();
                        while (await call.ResponseStream.MoveNext(CancellationToken.None))
                        {
                        }
                    }
                    break;
            }
            return StatusCode.OK;
        }
        catch (RpcException exception)
        {
            return exception.StatusCode;
        }
    }

    /// <summary>grpc.health.v1 says SERVING (or NOT_SERVING: answered either way) and reflection lists <paramref name="service"/>.</summary>
    public static async Task AssertHealthAndReflectionAnswerAsync(GrpcChannel channel, ServiceDescriptor service)
    {
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(30));
        Assert.NotEqual(HealthCheckResponse.Types.ServingStatus.Unknown, health.Status);
        using var reflection = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo(deadline: DateTime.UtcNow.AddSeconds(30));
        await reflection.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await reflection.RequestStream.CompleteAsync();
        Assert.True(await reflection.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Contains(service.FullName, reflection.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name));
    }
}
