namespace Hbac.Eeg.Formats.Edf;

/// <summary>The parsed header of an EDF/BDF file and the layout of its data records.</summary>
internal sealed record EdfHeader(
    EdfFormat Format,
    string Version,
    string Patient,
    string Recording,
    DateTime? StartDateTime,
    int HeaderBytes,
    string Reserved,
    int DeclaredRecordCount,
    int RecordCount,
    double RecordDurationSeconds,
    List<EdfSignalHeader> Signals,
    long RecordBytes,
    int BytesPerSample)
{
    /// <summary>Where each signal's samples start within a data record, in bytes (annotation signals included).</summary>
    public long[] SignalOffsets { get; } = Offsets(Signals, BytesPerSample);

    /// <summary>Signal <paramref name="signal"/>'s bytes within one data record.</summary>
    public ReadOnlySpan<byte> SignalBytes(ReadOnlySpan<byte> record, int signal) =>
        record.Slice((int)SignalOffsets[signal], Signals[signal].SamplesPerRecord * BytesPerSample);

    private static long[] Offsets(List<EdfSignalHeader> signals, int bytesPerSample)
    {
        var offsets = new long[signals.Count];
        for (var i = 1; i < offsets.Length; i++)
        {
            offsets[i] = offsets[i - 1] + (long)signals[i - 1].SamplesPerRecord * bytesPerSample;
        }
        return offsets;
    }
}
