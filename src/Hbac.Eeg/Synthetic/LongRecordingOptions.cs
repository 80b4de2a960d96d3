namespace Hbac.Eeg.Synthetic;

/// <summary>What <see cref="LongRecordings.Generate"/> writes: continuous EDF+ recordings with events at known times.</summary>
public sealed record LongRecordingOptions
{
    public required string OutputFolder { get; init; }

    public int Recordings { get; init; } = 4;

    public double Hours { get; init; } = 2;

    /// <summary>The same seed gives the same files; the default differs from the Kaggle-format set's.</summary>
    public ulong Seed { get; init; } = 7;

    /// <summary>
    /// Sample rate of the written files. The recording is synthesised at 200 Hz and resampled as it is written,
    /// so another rate (256 Hz, as most clinical systems record) holds nothing above 100 Hz.
    /// </summary>
    public int SampleRateHz { get; init; } = 200;

    /// <summary>Recordings generated at once (null: one per processor).</summary>
    public int? MaxDegreeOfParallelism { get; init; }
}

/// <summary>One written recording: its EDF+ file, its truth file and how many events of each kind it holds.</summary>
public sealed record LongRecordingSummary(string EdfPath, string TruthPath, double Hours, int Seizures, int OtherEvents);
