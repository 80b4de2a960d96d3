using Hbac.Inference.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Hbac.Client.Tests.Support;

/// <summary>
/// An inference service on real Kestrel at 127.0.0.1 serving a tiny EEG-window model ("e1"), stopped the
/// way a killed replica stops: disposing it aborts its open streams at once (no graceful drain).
/// </summary>
internal sealed class Replica : IDisposable
{
    public static readonly TinyOnnxModel EegModel = TinyOnnxModel.EegFavouring(3, pooling: "GlobalMaxPool");

    private readonly InferenceFactory _factory;

    /// <param name="port">0: a free port; otherwise this one (a replica taking over another's address).</param>
    public Replica(int port = 0)
    {
        _factory = new InferenceFactory(repository => EegModel.Publish(repository, "e1"), kestrel: true, port: port,
            configureServices: services => services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.Zero));
        Address = _factory.KestrelAddress();
    }

    public Uri Address { get; }

    public int Port => Address.Port;

    public void Dispose() => _factory.Dispose();
}
