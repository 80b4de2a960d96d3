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
    int BytesPerSample);
