using Hbac.Eeg.Formats;
using Hbac.Eeg.Formats.Edf;
using Hbac.Eeg.Montage;

namespace Hbac.Eeg.Tests.Edf;

/// <summary>EDF+D / BDF+D: records placed at their time-keeping onsets, gaps read as NaN, bad timing refused by record.</summary>
public class EdfDiscontinuousTests
{
    private const string Separator = "\u0014";

    /// <summary>A time-keeping TAL for a record starting at <paramref name="onset"/>, then any further TALs.</summary>
    private static string Record(string onset, string more = "") => $"+{onset}{Separator}{Separator}\0{more}";

    private static TestEdfWriter TwoSignals(string[] annotationRecords, bool bdf = false) => new()
    {
        Bdf = bdf,
        Reserved = bdf ? "BDF+D" : "EDF+D",
        Records = annotationRecords.Length,
        Signals =
        [
            new TestEdfSignal { Label = "Fp1", SamplesPerRecord = 10, Digital = [.. Enumerable.Range(1, 10 * annotationRecords.Length)] },
            new TestEdfSignal { Label = "F3", SamplesPerRecord = 5, Digital = [.. Enumerable.Range(1, 5 * annotationRecords.Length).Select(v => -v)] },
        ],
        AnnotationRecords = annotationRecords,
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RecordsArePlacedAtTheirOnsetsAndTheGapReadsAsNaN(bool bdf)
    {
        using var folder = new TempFolder();
        // Records at 100, 101 and 104 s after the start time: a 2-s gap from 2 s to 4 s.
        var path = TwoSignals([Record("100"), Record("101"), Record("104", $"+104.5{Separator}LPD{Separator}\0")], bdf).WriteTo(folder.Path, bdf ? "d.bdf" : "d.edf");

        var file = EdfReader.Read(path);

        Assert.Equal(bdf ? "BDF+D" : "EDF+D", file.Variant);
        Assert.Equal(3, file.RecordCount);
        Assert.Equal(5, file.DurationSeconds);
        Assert.Equal([(2.0, 2.0)], file.Gaps);
        Assert.Equal(100, file.StartOffsetSeconds);
        Assert.Equal([new EdfAnnotation(4.5, null, "LPD")], file.Annotations);
        var fp1 = file.Signals[0].Samples;
        Assert.Equal(50, fp1.Length);
        Assert.Equal(10, file.Signals[0].SampleRateHz);
        var gain = 6400.0 / 65535;
        Assert.Equal(20 * gain + 3200 - 32767 * gain, fp1[19], 3);  // last sample of record 2
        Assert.All(fp1[20..40], v => Assert.True(float.IsNaN(v)));
        Assert.Equal(21 * gain + 3200 - 32767 * gain, fp1[40], 3);  // first sample of record 3, at 4 s
        var f3 = file.Signals[1].Samples;
        Assert.Equal(25, f3.Length);
        Assert.All(f3[10..20], v => Assert.True(float.IsNaN(v)));
        Assert.False(float.IsNaN(f3[20]));
    }

    [Fact]
    public void AContiguousEdfPlusDFileHasNoGaps()
    {
        using var folder = new TempFolder();
        var file = EdfReader.Read(TwoSignals([Record("0"), Record("1"), Record("2")]).WriteTo(folder.Path, "d.edf"));

        Assert.Empty(file.Gaps);
        Assert.Equal(3, file.DurationSeconds);
        Assert.DoesNotContain(file.Signals[0].Samples, float.IsNaN);
    }

    [Theory]
    [InlineData(new[] { "0", "0.5" }, "data record 2 starts at 0.5 s, before record 1 ends at 1 s")]
    [InlineData(new[] { "10", "12", "11" }, "data record 3 starts at 1 s, before record 2 ends at 3 s")]
    public void ARecordThatStartsBeforeThePreviousOneEndsIsRefusedByNumber(string[] onsets, string expected)
    {
        using var folder = new TempFolder();
        var path = TwoSignals([.. onsets.Select(o => Record(o))]).WriteTo(folder.Path, "d.edf");

        var error = Assert.Throws<EegDataException>(() => EdfReader.Read(path));

        Assert.Equal($"{path}: {expected} (times after the first record)", error.Message);
    }

    [Fact]
    public void ARecordWithoutItsTimeKeepingAnnotationIsRefused()
    {
        using var folder = new TempFolder();
        var path = TwoSignals([Record("0"), ""]).WriteTo(folder.Path, "d.edf");

        var error = Assert.Throws<EegDataException>(() => EdfReader.Read(path));

        Assert.Equal($"{path}: data record 2: no time-keeping annotation, which an EDF+D record must start with", error.Message);
    }

    [Fact]
    public void ADiscontinuousFileWithoutAnAnnotationSignalIsRefused()
    {
        using var folder = new TempFolder();
        var path = new TestEdfWriter { Reserved = "EDF+D", Records = 1, Signals = [TestEdfSignal.Constant("Fp1", 10, 1)] }.WriteTo(folder.Path, "d.edf");

        var error = Assert.Throws<EegDataException>(() => EdfReader.Read(path));

        Assert.Contains("EDF+D (discontinuous) but no annotation signal", error.Message);
    }

    [Fact]
    public void GapsLongerThanTheWholeFileReaderFillsAreRefusedWithTheirLength()
    {
        using var folder = new TempFolder();
        var path = TwoSignals([Record("0"), Record("5000")]).WriteTo(folder.Path, "d.edf");

        var error = Assert.Throws<EegDataException>(() => EdfReader.Read(path));

        Assert.Contains("the gaps between data records add up to 4999 s; a whole-file read fills at most the recorded 2 s or 3600 s", error.Message);
    }

    [Fact]
    public void ReadRecordByRecordTheGapComesAsMissingChunksAndTheSamplesMatchTheWholeFileReader()
    {
        using var folder = new TempFolder();
        var labels = KaggleMontage.Columns.Select(c => c == "EKG" ? "ECG EKG" : $"EEG {c}-REF").ToList();
        string[] records = [Record("0"), Record("1"), Record("5", $"+5.5{Separator}LPD{Separator}\0")];
        var path = new TestEdfWriter
        {
            Reserved = "EDF+D",
            Records = records.Length,
            Signals = [.. labels.Select((label, c) => new TestEdfSignal { Label = label, SamplesPerRecord = 200, Digital = [.. Enumerable.Range(0, 600).Select(n => n * (c + 1) % 3000)] })],
            AnnotationRecords = records,
        }.WriteTo(folder.Path, "d.edf");
        var whole = EdfRecordingLoader.Load(path);

        using var chunked = ChunkedRecording.Open(path);
        var chunks = chunked.Chunks(2).ToList();

        Assert.True(chunked.Streamed);
        Assert.Equal("EDF+D", chunked.Format);
        Assert.Equal(6, chunked.DurationSeconds);
        // Records 1-2, then the 3-s gap (2 s, then 1 s with record 3).
        Assert.Equal([400, 400, 400], chunks.Select(c => c[0].Length));
        Assert.All(chunks[1], column => Assert.All(column, v => Assert.True(float.IsNaN(v))));
        Assert.All(chunks[2], column => Assert.All(column[..200], v => Assert.True(float.IsNaN(v))));
        Assert.All(chunks[2], column => Assert.All(column[200..], v => Assert.True(float.IsFinite(v))));
        for (var c = 0; c < KaggleMontage.Columns.Count; c++)
        {
            Assert.Equal(whole.Channel(KaggleMontage.Columns[c]), chunks.SelectMany(chunk => chunk[c]).ToArray());
        }
        Assert.Equal([new EdfAnnotation(5.5, null, "LPD")], chunked.Annotations);
    }

    [Fact]
    public void AtAnotherRateTheResampledGapStaysWhereItWas()
    {
        using var folder = new TempFolder();
        var labels = KaggleMontage.Columns.Select(c => c == "EKG" ? "ECG EKG" : $"EEG {c}-REF").ToList();
        // 100 Hz, 4-s records at 0, 4 and 16 s: an 8-s gap from 8 to 16 s.
        string[] records = [Record("0"), Record("4"), Record("16")];
        var path = new TestEdfWriter
        {
            Reserved = "EDF+D",
            RecordDuration = "4",
            Records = records.Length,
            Signals = [.. labels.Select(label => new TestEdfSignal { Label = label, SamplesPerRecord = 400, Digital = [.. Enumerable.Range(0, 1200).Select(n => (int)(1000 * Math.Sin(n * 0.1)))] })],
            AnnotationRecords = records,
        }.WriteTo(folder.Path, "d.edf");

        using var chunked = ChunkedRecording.Open(path);
        var fp1 = chunked.Chunks(10).SelectMany(chunk => chunk[0]).ToArray();

        Assert.True(chunked.Streamed);
        // Resampled as it is read, it is what the whole-file loader gives.
        Assert.Equal(EdfRecordingLoader.Load(path).Channel("Fp1"), fp1);
        Assert.Equal(20, chunked.DurationSeconds);
        Assert.Equal(4000, fp1.Length);
        // The resampler's filter reaches a little way into the data on each side of the gap, no further.
        Assert.All(fp1[..1500], v => Assert.True(float.IsFinite(v)));
        Assert.All(fp1[1700..3100], v => Assert.True(float.IsNaN(v)));
        Assert.All(fp1[3300..], v => Assert.True(float.IsFinite(v)));
    }
}
