using System.Text;
using Hbac.Eeg;
using Hbac.Eeg.Formats.Csv;
using Hbac.Eeg.Formats.Edf;
using Hbac.Eeg.Formats.Npy;
using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Labels;
using Hbac.Eeg.Spectrograms;

namespace Hbac.Fuzz.Targets;

/// <summary>
/// One entry point per reader, shared by the fuzz harness, the property tests and the regression corpus
/// replay: each reads the bytes as its command would and returns true (read) or false (refused with the
/// reader's own <see cref="EegDataException"/>). Any other exception escapes: that is the bug a fuzzer finds.
/// </summary>
public static class ReaderTargets
{
    public const string SourceName = "fuzz-input";

    public static readonly IReadOnlyDictionary<string, Func<byte[], bool>> All = new Dictionary<string, Func<byte[], bool>>(StringComparer.Ordinal)
    {
        ["spectrogram-parquet"] = SpectrogramParquet,
        ["eeg-parquet"] = EegParquet,
        ["edf"] = Edf,
        ["npy"] = Npy,
        ["csv"] = Csv,
    };

    public static bool SpectrogramParquet(byte[] bytes) => Refusable(() =>
    {
        // Not publicly visible: the reader then decodes on this thread only (allocation is measured per thread).
        var spectrogram = SpectrogramParquetReader.ReadAsync(new MemoryStream(bytes, writable: false), SourceName).GetAwaiter().GetResult();
        SpectrogramValues.RequireUsable(spectrogram, SourceName);
    });

    public static bool EegParquet(byte[] bytes) => Refusable(() =>
        EegParquetReader.ReadAsync(new MemoryStream(bytes, writable: false), SourceName).GetAwaiter().GetResult());

    /// <summary>EDF, EDF+ and BDF: the file, then the montage recording at 200 Hz (the resampler included).</summary>
    public static bool Edf(byte[] bytes) => Refusable(() =>
    {
        var file = EdfReader.Read(new MemoryStream(bytes, writable: false), SourceName);
        foreach (var signal in file.Signals)
        {
            if (!Array.TrueForAll(signal.Samples, float.IsFinite))
            {
                throw new InvalidDataException($"signal '{signal.Label}' decoded to a non-finite sample");
            }
        }
        if (EdfRecordingLoader.MapElectrodes(file).Count > 0)
        {
            EdfRecordingLoader.Load(file);
        }
    });

    public static bool Npy(byte[] bytes) => Refusable(() =>
    {
        var array = NpyReader.Read(new MemoryStream(bytes, writable: false), SourceName);
        if (array.Shape.Length == 2 && array.Shape[0] == SpectrogramLayout.Rows)
        {
            SpectrogramValues.RequireUsable(array.Values, array.Shape[1], SourceName);
        }
    });

    /// <summary>A CSV as train.csv, a test listing or a submission, whichever its header names.</summary>
    public static bool Csv(byte[] bytes) => Refusable(() =>
    {
        using var reader = new StreamReader(new MemoryStream(bytes, writable: false), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var table = CsvTable.Parse(reader, SourceName);
        if (TrainLabels.Columns.All(table.HasColumn))
        {
            TrainLabels.FromTable(table);
        }
        else if (TestEntries.Columns.All(table.HasColumn))
        {
            TestEntries.FromTable(table);
        }
        else if (VoteTable.Columns.All(table.HasColumn))
        {
            VoteTable.FromTable(table, normalise: true);
        }
    });

    /// <summary>Why the last input was refused, for <c>--replay</c>.</summary>
    public static string? LastRefusal { get; private set; }

    private static bool Refusable(Action read)
    {
        try
        {
            read();
            return true;
        }
        catch (EegDataException e)
        {
            LastRefusal = e.Message;
            return false;
        }
    }
}
