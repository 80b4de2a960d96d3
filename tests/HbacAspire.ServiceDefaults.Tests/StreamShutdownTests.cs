using Grpc.Core;
using Grpc.Net.Client;
using Hbac.Contracts.Security;
using Hbac.Contracts.V1;
using HbacAspire.ServiceDefaults.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Hosting;

namespace HbacAspire.ServiceDefaults.Tests;

/// <summary>Open streams end with Unavailable when the service stops, instead of holding the shutdown up.</summary>
public sealed class StreamShutdownTests
{
    [Fact]
    public async Task AnOpenStreamEndsWithUnavailableWhenTheServiceStops()
    {
        await using var app = await StartAsync();
        using var channel = ApiKeyChannel.ForAddress(app.GetTestClient().BaseAddress!, TestApiKey.Value, new GrpcChannelOptions { HttpHandler = app.GetTestServer().CreateHandler() });
        var client = new Inference.InferenceClient(channel);

        using var call = client.StreamEeg();
        await call.RequestStream.WriteAsync(new StreamEegRequest { Chunk = new EegChunk() });
        Assert.True(await call.ResponseStream.MoveNext()); // the handler runs and waits for the next chunk
        var stopping = app.StopAsync();

        // Bounded: without the interceptor the stream (and the stop) would wait for the client forever.
        var ended = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext().WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(StatusCode.Unavailable, ended.StatusCode);
        Assert.Equal(StreamShutdownInterceptor.ShuttingDown, ended.Status.Detail);
        await stopping.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task AStreamTheClientCancelsIsNotReportedAsAShutdown()
    {
        await using var app = await StartAsync();
        using var channel = ApiKeyChannel.ForAddress(app.GetTestClient().BaseAddress!, TestApiKey.Value, new GrpcChannelOptions { HttpHandler = app.GetTestServer().CreateHandler() });
        var client = new Inference.InferenceClient(channel);

        using var cancel = new CancellationTokenSource();
        using var call = client.StreamEeg(cancellationToken: cancel.Token);
        await call.RequestStream.WriteAsync(new StreamEegRequest { Chunk = new EegChunk() });
        Assert.True(await call.ResponseStream.MoveNext());
        await cancel.CancelAsync();

        var ended = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext().WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(StatusCode.Cancelled, ended.StatusCode);
        // The service still answers new streams.
        using var next = client.StreamEeg();
        await next.RequestStream.WriteAsync(new StreamEegRequest { Chunk = new EegChunk() });
        Assert.True(await next.ResponseStream.MoveNext());
        Assert.Equal(1, next.ResponseStream.Current.WindowEndSeconds);
    }

    /// <summary>A test server with the gRPC service defaults (so the stream interceptor) and <see cref="EchoingStream"/>.</summary>
    private static async Task<WebApplication> StartAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration[TestApiKey.Setting] = TestApiKey.Value;
        builder.AddServiceDefaults();
        builder.AddGrpcServiceDefaults();
        var app = builder.Build();
        app.MapGrpcService<EchoingStream>();
        await app.StartAsync();
        return app;
    }

    /// <summary>One reply per chunk received (window_end_seconds = chunks so far), until the client completes.</summary>
    private sealed class EchoingStream : Inference.InferenceBase
    {
        public override async Task StreamEeg(IAsyncStreamReader<StreamEegRequest> requestStream, IServerStreamWriter<StreamEegResponse> responseStream, ServerCallContext context)
        {
            var chunks = 0;
            while (await requestStream.MoveNext(context.CancellationToken))
            {
                await responseStream.WriteAsync(new StreamEegResponse { WindowEndSeconds = ++chunks }, context.CancellationToken);
            }
        }
    }
}
