using Hbac.Eeg.Formats.Edf;
using Hbac.Eeg.Montage;

namespace Hbac.Eeg.Tests.Edf;

public class EdfBadInputTests
{
    private static EegDataException Rejected(TestEdfWriter writer, Func<byte[], byte[]>? damage = null)
    {
        using var folder = new TempFolder();
        var bytes = writer.ToBytes();
        var path = Path.Combine(folder.Path, "bad.edf");
        File.WriteAllBytes(path, damage is null ? bytes : damage(bytes));
        var error = Assert.Throws<EegDataException>(() => EdfReader.Read(path));
        Assert.StartsWith(path + ": ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        return error;
    }

    private static TestEdfWriter Valid(int records = 2) => new()
    {
        Records = records,
        Signals = [TestEdfSignal.Constant("Fp1", 10, records), TestEdfSignal.Constant("F3", 10, records)],
    };

    [Fact]
    public void WrongHeaderSizeIsRejected()
    {
        var error = Rejected(new TestEdfWriter
        {
            Records = 1,
            HeaderBytesField = "1024",
            Signals = [TestEdfSignal.Constant("Fp1", 10, 1), TestEdfSignal.Constant("F3", 10, 1)],
        });
        Assert.Contains("header size field says 1024 bytes but 2 signals need 256*(2+1) = 768", error.Message);
    }

    [Fact]
    public void TruncatedDataIsRejected()
    {
        var error = Rejected(Valid(records: 3), bytes => bytes[..^7]);
        Assert.Contains("truncated: 3 data records of 40 bytes need 120 bytes after the header but only 113 are present", error.Message);
    }

    [Fact]
    public void TruncatedHeaderIsRejected()
    {
        var error = Rejected(Valid(), bytes => bytes[..600]);
        Assert.Contains("truncated: the header needs 768 bytes but the file has 600", error.Message);
    }

    [Theory]
    [InlineData("physical minimum", "signal 2 ('F3') physical minimum is not a number: 'abc'")]
    [InlineData("digital maximum", "signal 2 ('F3') digital maximum is not an integer: 'x1'")]
    [InlineData("samples", "signal 2 ('F3') samples per data record is not an integer: 'ten'")]
    public void NonNumericSignalFieldsAreNamed(string field, string expected)
    {
        var f3 = field switch
        {
            "physical minimum" => new TestEdfSignal { Label = "F3", PhysicalMinimum = "abc", SamplesPerRecord = 10, Digital = new int[10] },
            "digital maximum" => new TestEdfSignal { Label = "F3", DigitalMaximum = "x1", SamplesPerRecord = 10, Digital = new int[10] },
            _ => new TestEdfSignal { Label = "F3", SamplesPerRecord = 10, Digital = new int[10] },
        };
        var writer = new TestEdfWriter { Records = 1, Signals = [TestEdfSignal.Constant("Fp1", 10, 1), f3] };
        var error = Rejected(writer, field == "samples" ? bytes => PatchSamplesPerRecord(bytes, signal: 1, signals: 2, "ten") : null);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void NonNumericRecordDurationIsNamed()
    {
        var writer = new TestEdfWriter { Records = 1, RecordDuration = "one", Signals = [TestEdfSignal.Constant("Fp1", 10, 1)] };
        Assert.Contains("field 'duration of a data record' is not a number: 'one'", Rejected(writer).Message);
    }

    [Fact]
    public void NonNumericSignalCountIsNamed()
    {
        var writer = new TestEdfWriter { Records = 1, SignalCountField = "two", Signals = [TestEdfSignal.Constant("Fp1", 10, 1)] };
        Assert.Contains("field 'number of signals' is not an integer: 'two'", Rejected(writer).Message);
    }

    [Fact]
    public void ZeroSignalsAreRejected()
    {
        var writer = new TestEdfWriter { Records = 0, Signals = [] };
        Assert.Contains("the header declares 0 signals", Rejected(writer).Message);
    }

    [Theory]
    [InlineData("PAR1 this is a parquet file, not an EDF recording at all.")]
    [InlineData("eeg_id,spectrogram_id\n1,2\n")]
    public void OtherFilesAreNotEdf(string content)
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "other.edf");
        File.WriteAllText(path, content.PadRight(300, ' '));
        var error = Assert.Throws<EegDataException>(() => EdfReader.Read(path));
        Assert.StartsWith(path + ": not an EDF/BDF file: the version field is", error.Message);
    }

    [Fact]
    public void FilesShorterThanAHeaderAreNotEdf()
    {
        var error = Rejected(Valid(), bytes => bytes[..100]);
        Assert.Contains("not an EDF/BDF file: 100 bytes, shorter than the 256-byte header", error.Message);
    }

    [Fact]
    public void BadAnnotationOnsetNamesTheRecord()
    {
        var writer = new TestEdfWriter
        {
            Records = 2,
            Reserved = "EDF+C",
            Signals = [TestEdfSignal.Constant("Fp1", 10, 2)],
            AnnotationRecords = ["+0\u0014\u0014\0", "+1\u0014\u0014\0+x.5\u0014Spike\u0014\0"],
        };
        Assert.Contains("data record 2: annotation onset '+x.5' is not a number", Rejected(writer).Message);
    }

    [Fact]
    public void ARecordingLackingAnElectrodeNamesItAndTheLabelsFound()
    {
        using var folder = new TempFolder();
        var electrodes = KaggleMontage.Electrodes.Where(e => e is not "T5" and not "Cz" and not "P4").ToList();
        var writer = new TestEdfWriter
        {
            Records = 1,
            Signals = [.. electrodes.Select(e => TestEdfSignal.Constant("EEG " + e + "-REF", 200, 1)), TestEdfSignal.Constant("Photic", 200, 1)],
        };
        var path = writer.WriteTo(folder.Path, "missing.edf");

        var error = Assert.Throws<EegDataException>(() => EdfRecordingLoader.Load(path));
        Assert.StartsWith(path + ": too few montage electrodes: 2 of the 16 the double-banana chains need are missing (T5, P4); labels found: EEG Fp1-REF, EEG F3-REF,", error.Message);
        Assert.EndsWith("EEG O2-REF, Photic", error.Message);
    }

    private static byte[] PatchSamplesPerRecord(byte[] bytes, int signal, int signals, string text)
    {
        // Samples-per-record fields start after 216 bytes of per-signal fields.
        var offset = 256 + 216 * signals + 8 * signal;
        System.Text.Encoding.ASCII.GetBytes(text.PadRight(8)).CopyTo(bytes, offset);
        return bytes;
    }
}
