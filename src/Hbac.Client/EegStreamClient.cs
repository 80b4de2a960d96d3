using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using Hbac.Client.Connections;
using Hbac.Client.Streaming;
using Hbac.Contracts.Security;
using Hbac.Contracts.V1;

namespace Hbac.Client;

/// <summary>
/// The inference service's client for hbac and the tests. <see cref="Inference"/> makes unary calls, each
/// with a deadline (<see cref="EegStreamClientOptions.CallDeadline"/>) unless the call sets its own.
/// <see cref="OpenStream"/> opens a <see cref="ResilientEegStream"/>: with
/// <see cref="StreamBalancing.Connection"/> each stream has its own connection, so streams spread over the
/// replicas behind one address, and a stream whose replica dies reconnects through the same address and
/// resumes. Dispose the streams, then the client.
/// </summary>
public sealed class EegStreamClient : IDisposable
{
    private readonly GrpcChannel _shared;
    private int _connections;

    public EegStreamClient(EegStreamClientOptions options)
    {
        options.Validate();
        Options = options;
        _shared = CreateChannel();
        Inference = new Inference.InferenceClient(_shared.Intercept(new DeadlineInterceptor(options.CallDeadline)));
    }

    public EegStreamClientOptions Options { get; }

    /// <summary>Unary calls (ListModels, Score, GetServingProfile, ...) on the client's own connection, each with a deadline.</summary>
    public Inference.InferenceClient Inference { get; }

    /// <summary>Channels (each with its own connection pool) this client has opened: its own, and one per stream call in connection mode.</summary>
    public int ChannelsOpened => Volatile.Read(ref _connections);

    /// <summary>
    /// A new stream. Nothing is sent until the first <see cref="ResilientEegStream.SendAsync"/>;
    /// <paramref name="cancellationToken"/> cancels the whole stream, resumes included.
    /// </summary>
    public ResilientEegStream OpenStream(CancellationToken cancellationToken = default) => new(this, cancellationToken);

    /// <summary>
    /// The channel a stream call goes on: a new one (a new connection) in connection mode, which the stream
    /// disposes when the call ends (owned = true); the client's shared, balancing channel in round-robin mode.
    /// </summary>
    internal (Inference.InferenceClient Client, GrpcChannel? Owned) StreamChannel()
    {
        if (Options.Balancing == StreamBalancing.RoundRobin)
        {
            return (new Inference.InferenceClient(_shared), null);
        }
        var channel = CreateChannel();
        return (new Inference.InferenceClient(channel), channel);
    }

    private GrpcChannel CreateChannel()
    {
        Interlocked.Increment(ref _connections);
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = Options.ConnectTimeout,
            // A replica that vanished without closing the connection (or a proxy with nothing behind it)
            // fails the connection after a ping goes unanswered, even while no reply is due.
            KeepAlivePingDelay = Options.ReplyTimeout,
            KeepAlivePingTimeout = Options.ReplyTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            // Hundreds of streams on the shared channel (round-robin mode): more than one HTTP/2 connection's stream limit.
            EnableMultipleHttp2Connections = true,
        };
        var grpc = new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,
        };
        var address = Options.Address;
        if (Options.Balancing == StreamBalancing.RoundRobin)
        {
            // The resolver asks DNS for every address behind the name (a headless Service: one per pod) and
            // re-resolves when a connection fails; round_robin spreads calls over the ones that answer.
            address = address.Scheme == "dns" ? address : new Uri($"dns:///{address.Host}:{address.Port}");
            grpc.ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() } };
            grpc.Credentials = ChannelCredentials.Insecure;
        }
        return ApiKeyChannel.ForAddress(address, Options.ApiKey, grpc);
    }

    public void Dispose() => _shared.Dispose();
}
