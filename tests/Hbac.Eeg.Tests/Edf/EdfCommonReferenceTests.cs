using Hbac.Eeg.Formats;
using Hbac.Eeg.Formats.Edf;
using Hbac.Eeg.Montage;

using static Hbac.Eeg.Tests.Edf.ReferentialNoise;

namespace Hbac.Eeg.Tests.Edf;

/// <summary>
/// Some systems label a referential recording with its reference, "Fp1-Cz", "F3-Cz", ...: each signal is an
/// electrode against Cz, so the chains (differences) are those of any other reference.
/// </summary>
public class EdfCommonReferenceTests
{
    private static float[][] Referential(int seconds = 30) => Signals(200, seconds, seed: 5);

    /// <summary>Every electrode but the reference as "EEG X-{reference}" (X against the reference), and the ECG.</summary>
    private static string Write(TempFolder folder, float[][] referential, Func<string, string> referenceOf)
    {
        var electrodes = KaggleMontage.Electrodes.Where(e => e != referenceOf(e)).ToList();
        var labels = electrodes.Select(e => $"EEG {e.ToUpperInvariant()}-{referenceOf(e).ToUpperInvariant()}").Append("ECG").ToList();
        var signals = electrodes.Select(e => Column(referential, e).Zip(Column(referential, referenceOf(e)), (x, r) => x - r).ToArray())
            .Append(Column(referential, "EKG")).ToList();
        var path = folder.File("referenced.edf");
        using var writer = new EdfPlusWriter(path, labels, 200, -PhysicalRange, PhysicalRange, referential[0].Length / 200, [], DateTime.UnixEpoch);
        writer.Write(signals);
        return path;
    }

    [Fact]
    public void ACzReferencedFileIsReadAsReferentialWithTheSameChains()
    {
        using var folder = new TempFolder();
        var referential = Referential();
        var path = Write(folder, referential, _ => "Cz");

        using var recording = ChunkedRecording.Open(path);

        Assert.Equal("referential", recording.Montage);
        Assert.Equal(("Fp1", "EEG FP1-CZ"), recording.Mapped[0]);
        Assert.Equal([.. KaggleMontage.Electrodes.Where(e => e != "Cz")], recording.Electrodes);
        var chunks = recording.Chunks(10).ToList();
        var read = Enumerable.Range(0, KaggleMontage.Columns.Count).Select(c => chunks.SelectMany(chunk => chunk[c]).ToArray()).ToArray();
        Assert.All(Column(read, "Cz"), v => Assert.Equal(0f, v));
        foreach (var (a, b) in KaggleMontage.Chains)
        {
            var expected = Column(referential, a).Zip(Column(referential, b), (x, y) => x - y).ToArray();
            var actual = Column(read, a).Zip(Column(read, b), (x, y) => x - y).ToArray();
            // Each signal rounds to 0.1 uV in the file.
            Assert.True(expected.Zip(actual, (x, y) => Math.Abs(x - y)).Max() <= 0.11, $"{a}-{b} differs");
        }
        // The whole-file loader (preprocessing's EDF conversion) reads the same montage.
        var loaded = EdfRecordingLoader.Load(path);
        Assert.Equal(Column(read, "Fp1"), loaded.Channel("Fp1"));
        Assert.Null(loaded.Channel("Cz"));
        // What `hbac inspect` lists as the montage's signals.
        Assert.Equal([.. KaggleMontage.Columns.Where(c => c != "Cz")], EdfRecordingLoader.MapElectrodes(EdfReader.Read(path)).Select(m => m.Canonical));
    }

    [Fact]
    public void ElectrodesUnderDifferentReferencesAreRefusedAsTooFew()
    {
        using var folder = new TempFolder();
        // The left side against Cz, the right against Pz: no one reference holds the 16 chain electrodes.
        var path = Write(folder, Referential(6), e => KaggleMontage.ColumnIndex(e) < 8 ? "Cz" : "Pz");

        var error = Assert.Throws<EegDataException>(() => ChunkedRecording.Open(path));
        Assert.Contains("too few montage electrodes: 16 of the 16 the double-banana chains need are missing", error.Message);
        Assert.Contains("labels found: EEG FP1-CZ,", error.Message);
    }
}
