using Hbac.Eeg.Formats.Edf;
using Hbac.Eeg.Montage;
using Hbac.Eeg.Tests.Edf;

namespace Hbac.Eeg.Tests.Hardening;

/// <summary>
/// Issue 12, classes 2, 3, 5, 7 and 9 for EDF/BDF: the header is read first and checked (rates, record
/// durations, physical ranges, record count) against stated limits; a huge file is never loaded whole.
/// </summary>
public class EdfLimitTests
{
    private static EegDataException Refused(byte[] bytes, Func<string, object> read)
    {
        using var folder = new TempFolder();
        var path = HardeningFiles.Save(folder, "bad.edf", bytes);
        var error = Assert.Throws<EegDataException>(() => read(path));
        Assert.StartsWith(path + ": ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        return error;
    }

    private static TestEdfWriter Montage(int records = 2, string duration = "1", int samplesPerRecord = 200,
        string physicalMinimum = "-3200", string physicalMaximum = "3200", string? recordCount = null) => new()
    {
        Records = records,
        RecordCountField = recordCount,
        RecordDuration = duration,
        Signals = [.. KaggleMontage.Electrodes.Select(e => new TestEdfSignal
        {
            Label = e,
            SamplesPerRecord = samplesPerRecord,
            PhysicalMinimum = physicalMinimum,
            PhysicalMaximum = physicalMaximum,
            Digital = [.. Enumerable.Range(0, samplesPerRecord * records).Select(i => i % 2 == 0 ? short.MaxValue : short.MinValue)],
        })],
    };

    [Theory]
    [InlineData(1, "99999999")]   // 1e-8 Hz (and a 3-year record)
    [InlineData(1, "3600")]       // 2.8e-4 Hz
    [InlineData(20, "3600")]      // 5.6e-3 Hz
    [InlineData(99999999, "0.05")] // 2 GHz
    [InlineData(2000000, "0.00001")] // 200 GHz with a 10-us record
    public void SampleRatesAndDurationsOutsideTheStatedRangeAreRefusedByName(int samplesPerRecord, string duration)
    {
        var bytes = Montage(records: 0, duration: duration, samplesPerRecord: samplesPerRecord, recordCount: "1").ToBytes();
        var error = Refused(bytes, EdfRecordingLoader.Load);
        Assert.Matches("sample rate of .* Hz|'duration of a data record' is", error.Message);
        Assert.Contains("accepted are", error.Message);
    }

    [Theory]
    [InlineData("-1e38", "1e38")]
    [InlineData("-1e308", "1e308")]
    [InlineData("-1e300", "1e300")]
    [InlineData("-2e9", "2e9")]
    public void PhysicalRangesThatCannotStayFiniteAreRefused(string minimum, string maximum)
    {
        var error = Refused(Montage(physicalMinimum: minimum, physicalMaximum: maximum).ToBytes(), EdfReader.Read);
        Assert.Contains("signal 1 ('Fp1') physical range", error.Message);
    }

    [Fact]
    public void TheLargestAcceptedRangeDecodesToFiniteSamples()
    {
        using var folder = new TempFolder();
        var path = HardeningFiles.Save(folder, "ok.edf", Montage(physicalMinimum: "-9e5", physicalMaximum: "9e5").ToBytes());
        var recording = EdfRecordingLoader.Load(path);
        Assert.All(recording.Samples, s => Assert.All(s, v => Assert.True(float.IsFinite(v))));
    }

    [Fact]
    public void AFileWithNoDataRecordsIsRefused()
    {
        var error = Refused(Montage(records: 0).ToBytes(), EdfReader.Read);
        Assert.Contains("no data records", error.Message);
    }

    [Fact]
    public void AHugeFileIsRejectedFromItsHeaderWithoutLoadingIt()
    {
        using var folder = new TempFolder();
        var path = folder.File("zeros.edf");
        using (var file = File.Create(path))
        {
            file.SetLength(2L << 30); // 2 GiB of zeros (sparse)
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<EegDataException>(() => EdfReader.Read(path));
        Assert.StartsWith(path + ": not an EDF/BDF file", error.Message);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 16L << 20);
    }

    [Fact]
    public void AValidHeaderOnA2GiBFileIsStillReadRecordByRecord()
    {
        // A header declaring one 19-signal record, then 2 GiB of padding: one record is decoded, nothing else is held.
        using var folder = new TempFolder();
        var path = folder.File("big.edf");
        var bytes = Montage(records: 1).ToBytes();
        using (var file = File.Create(path))
        {
            file.Write(bytes);
            file.SetLength(2L << 30);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        var edf = EdfReader.Read(path);
        Assert.Equal(1, edf.RecordCount);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 16L << 20);
    }

    [Fact]
    public void ALabelWithLineBreaksStaysOnOneLineInTheError()
    {
        var writer = new TestEdfWriter
        {
            Records = 1,
            Signals = [TestEdfSignal.Constant("Fp1\nhbac: ok", 200, 1)],
        };
        var error = Refused(writer.ToBytes(), EdfRecordingLoader.Load);
        Assert.Contains("Fp1\\nhbac: ok", error.Message);
    }
}
