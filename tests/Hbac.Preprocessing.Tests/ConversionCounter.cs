using System.Diagnostics.Metrics;
using Hbac.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace Hbac.Preprocessing.Tests;

/// <summary>
/// Counts the spectrogram conversions (<see cref="HbacInstruments.SpectrogramConversions"/>) of the given
/// service hosts only, on the meter each host's own meter factory made (other tests run in parallel).
/// </summary>
internal sealed class ConversionCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _count;

    public ConversionCounter(params PreprocessingHost[] hosts)
    {
        var factories = hosts.Select(host => host.Services.GetRequiredService<IMeterFactory>()).ToList();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == HbacInstruments.SpectrogramConversions && factories.Any(f => ReferenceEquals(instrument.Meter.Scope, f)))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
        _listener.Start();
    }

    public long Count => Interlocked.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}
