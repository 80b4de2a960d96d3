using Hbac.Cli.Commands;
using Hbac.Eeg;

namespace Hbac.Cli.Tests.Commands;

public class EdfInspectionTests
{
    [SharedDataFact]
    public void PhysionetRecordingIsDescribedWithItsMontageChannels()
    {
        var fields = EdfInspection.Describe(SharedData.File("edf/physionet-eegmmidb/S001R03.edf"));

        Assert.Equal("edf", fields["kind"]);
        Assert.Equal("EDF+C", fields["variant"]);
        Assert.Equal(20_000, fields["rows"]);
        Assert.Equal(64, fields["columns"]);
        Assert.Equal(160.0, fields["sample_rate_hz"]);
        Assert.False(fields.ContainsKey("sample_rates_hz"));
        Assert.Equal(125.0, fields["duration_s"]);
        var channels = Assert.IsType<string[]>(fields["channels"]);
        Assert.Equal(64, channels.Length);
        Assert.Equal("Fp1.", channels[21]);
        Assert.Equal(
            ["Fp1", "F3", "C3", "P3", "F7", "T3", "T5", "O1", "Fz", "Cz", "Pz", "Fp2", "F4", "C4", "P4", "F8", "T4", "T6", "O2"],
            Assert.IsType<string[]>(fields["montage_channels_found"]));
        Assert.Equal(0L, fields["nan_count"]);
        Assert.Equal(30, fields["annotations"]);
    }

    [SharedDataFact]
    public void MixedRateBdfListsItsRatesAndUsesTheFastest()
    {
        var fields = EdfInspection.Describe(SharedData.File("edf/test_generator.bdf"));

        Assert.Equal("bdf", fields["kind"]);
        Assert.Equal("BDF+C", fields["variant"]);
        Assert.Equal(5, fields["columns"]);
        Assert.Equal(1000.0, fields["sample_rate_hz"]);
        Assert.Equal([500.0, 800.0, 975.0, 999.0, 1000.0], Assert.IsType<double[]>(fields["sample_rates_hz"]));
        Assert.Equal(30_000, fields["rows"]);
        Assert.Equal(30.0, fields["duration_s"]);
        Assert.Empty(Assert.IsType<string[]>(fields["montage_channels_found"]));
        Assert.Equal(0, fields["annotations"]);
    }

    [SharedDataFact]
    public void LegacyEdfIsPlainEdfWithItsAnnotationsCounted()
    {
        var fields = EdfInspection.Describe(SharedData.File("edf/test_legacy.edf"));

        Assert.Equal(("edf", "EDF", 11, 120_000, 200.0, 600.0, 2),
            (fields["kind"], fields["variant"], fields["columns"], fields["rows"], fields["sample_rate_hz"], fields["duration_s"], fields["annotations"]));
    }

    [Fact]
    public void ATextFileIsRejectedWithOneLine()
    {
        var path = Path.Combine(Path.GetTempPath(), $"hbac-not-edf-{Guid.NewGuid():N}.edf");
        File.WriteAllText(path, new string('x', 400));
        try
        {
            var error = Assert.Throws<EegDataException>(() => EdfInspection.Describe(path));
            Assert.Equal($"{path}: not an EDF/BDF file: the version field is 'xxxxxxxx', expected '0' (EDF) or 0xFF 'BIOSEMI' (BDF)", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
