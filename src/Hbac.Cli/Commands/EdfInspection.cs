using Hbac.Eeg.Formats.Edf;

namespace Hbac.Cli.Commands;

/// <summary>
/// The <c>hbac inspect</c> fields of an EDF/EDF+/BDF file. The "montage signals" are those whose labels
/// map to a montage electrode or EKG; when a file has none (e.g. a test-signal generator file), all
/// ordinary signals stand in for them. <c>rows</c> is the sample count of the fastest of those signals
/// (so rows = sample_rate_hz * duration_s), <c>sample_rate_hz</c> its rate, and <c>sample_rates_hz</c>
/// lists the distinct rates when they differ.
/// </summary>
internal static class EdfInspection
{
    internal static IReadOnlyDictionary<string, object?> Describe(string path)
    {
        var file = EdfReader.Read(path);
        var mapped = EdfRecordingLoader.MapElectrodes(file);
        var rateSignals = mapped.Count > 0 ? [.. mapped.Select(m => m.Signal)] : file.Signals;
        var rates = rateSignals.Select(s => s.SampleRateHz).Distinct().Order().ToArray();
        var fastest = rateSignals.OrderByDescending(s => s.SampleRateHz).FirstOrDefault();

        var result = new Dictionary<string, object?>
        {
            ["kind"] = file.Format == EdfFormat.Bdf ? "bdf" : "edf",
            ["variant"] = file.Variant,
            ["rows"] = fastest?.Samples.Length ?? 0,
            ["columns"] = file.Signals.Count,
            ["sample_rate_hz"] = fastest?.SampleRateHz,
        };
        if (rates.Length > 1)
        {
            result["sample_rates_hz"] = rates;
        }
        result["duration_s"] = file.DurationSeconds;
        result["records"] = file.RecordCount;
        result["record_duration_s"] = file.RecordDurationSeconds;
        if (file.Gaps.Count > 0)
        {
            // EDF+D: the gaps read as NaN; say where they are so the missing samples below are explained.
            result["gaps"] = file.Gaps.Select(g => new Dictionary<string, double> { ["start_s"] = g.StartSeconds, ["seconds"] = g.Seconds }).ToArray();
        }
        result["start"] = file.StartDateTime?.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        result["channels"] = file.Labels.ToArray();
        result["montage_channels_found"] = mapped.Select(m => m.Canonical).ToArray();
        // How report and the models would read it: "referential", "bipolar" (the 16 chains as derivations), or null when neither is complete.
        var montage = EdfMontage.TryResolve(file.Labels);
        result["montage"] = montage?.Kind;
        if (montage is { Bipolar: true })
        {
            result["bipolar_chains_found"] = montage.Mapped.Select(m => m.Canonical).Where(c => c != "EKG").ToArray();
        }
        result["nan_count"] = file.Signals.Sum(signal => signal.Samples.LongCount(float.IsNaN));
        result["annotations"] = file.Annotations.Count;
        return result;
    }
}
