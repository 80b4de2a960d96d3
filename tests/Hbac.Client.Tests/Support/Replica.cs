using Hbac.Inference.Models;
using Hbac.Inference.Scoring;
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
    private StallingScorer? _stalling;
    private int _disposed;

    /// <param name="port">0: a free port; otherwise this one (a replica taking over another's address).</param>
    /// <param name="stallAfterWindows">Answer only this many windows and hold the rest (in flight) until the replica dies.</param>
    public Replica(int port = 0, int? stallAfterWindows = null)
    {
        _factory = new InferenceFactory(repository => EegModel.Publish(repository, "e1"), kestrel: true, port: port,
            configureServices: services =>
            {
                services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.Zero);
                if (stallAfterWindows is { } limit)
                {
                    services.AddSingleton<IBatchScorer>(provider =>
                        _stalling = new StallingScorer(new ActiveModelScorer(provider.GetRequiredService<IModelRepository>()), limit));
                }
            });
        Address = _factory.KestrelAddress();
    }

    public Uri Address { get; }

    public int Port => Address.Port;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        // Held windows are let go only once the connections are gone, so their replies are lost with the replica.
        var stopping = Task.Run(_factory.Dispose);
        if (_stalling is { } stalling)
        {
            Thread.Sleep(500);
            stalling.Release();
        }
        stopping.Wait();
    }
}
