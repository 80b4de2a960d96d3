using Hbac.Eeg.Formats;
using Hbac.Eeg.Formats.Edf;
using Hbac.Eeg.Montage;

namespace Hbac.Eeg.Tests.Edf;

public class EdfPlusWriterTests
{
    private static readonly string[] Labels = [.. KaggleMontage.Columns.Select(c => c == "EKG" ? "ECG EKG" : $"EEG {c}-REF")];

    private static float[][] Signal(int seconds) =>
        [.. Enumerable.Range(0, Labels.Length).Select(c => Enumerable.Range(0, seconds * 200).Select(n => (float)(100 * Math.Sin(0.01 * n * (c + 1)) + c)).ToArray())];

    private static string Write(TempFolder folder, float[][] samples, int seconds, IReadOnlyList<EdfAnnotation> annotations)
    {
        var path = folder.File("w.edf");
        using (var writer = new EdfPlusWriter(path, Labels, 200, -3276.7, 3276.7, seconds, annotations, new DateTime(2026, 1, 2, 3, 4, 5)))
        {
            // Chunks that do not line up with the 1-s records.
            for (var at = 0; at < samples[0].Length; at += 350)
            {
                var count = Math.Min(350, samples[0].Length - at);
                writer.Write([.. samples.Select(s => s.AsSpan(at, count).ToArray())]);
            }
        }
        return path;
    }

    [Fact]
    public void TheReaderGetsBackTheSamplesTheAnnotationsAndTheHeader()
    {
        using var folder = new TempFolder();
        EdfAnnotation[] annotations = [new(2, 3, "Seizure"), new(2.5, null, "note"), new(4.25, 1, "GRDA")];
        var samples = Signal(6);
        var file = EdfReader.Read(Write(folder, samples, 6, annotations));

        Assert.Equal("EDF+C", file.Variant);
        Assert.Equal(6, file.RecordCount);
        Assert.Equal(new DateTime(2026, 1, 2, 3, 4, 5), file.StartDateTime);
        Assert.Equal(Labels, file.Labels);
        Assert.Equal(annotations, file.Annotations);
        var resolution = 2 * 3276.7 / 65535;
        for (var c = 0; c < Labels.Length; c++)
        {
            Assert.Equal(200, file.Signals[c].SampleRateHz);
            for (var n = 0; n < samples[c].Length; n++)
            {
                Assert.True(Math.Abs(file.Signals[c].Samples[n] - samples[c][n]) <= resolution, $"{Labels[c]}[{n}]");
            }
        }
    }

    [Fact]
    public void ReadingRecordByRecordGivesWhatTheWholeFileReaderGives()
    {
        using var folder = new TempFolder();
        var path = Write(folder, Signal(25), 25, [new(12, 5, "LPD")]);
        var whole = EdfRecordingLoader.Load(path);

        using var chunked = ChunkedRecording.Open(path);
        Assert.True(chunked.Streamed);
        Assert.Equal(25, chunked.DurationSeconds);
        var chunks = chunked.Chunks(10).ToList();
        Assert.Equal([2000, 2000, 1000], chunks.Select(c => c[0].Length));
        for (var c = 0; c < KaggleMontage.Columns.Count; c++)
        {
            Assert.Equal(whole.Channel(KaggleMontage.Columns[c]), chunks.SelectMany(chunk => chunk[c]).ToArray());
        }
        Assert.Equal([new EdfAnnotation(12, 5, "LPD")], chunked.Annotations);
        Assert.Equal(20, chunked.Mapped.Count);
    }

    [Fact]
    public void AFileWithTooFewMontageElectrodesIsRefusedWithTheMissingOnes()
    {
        using var folder = new TempFolder();
        var path = folder.File("few.edf");
        using (var writer = new EdfPlusWriter(path, ["EEG Fp1", "EEG Cz"], 200, -100, 100, 1, [], DateTime.UnixEpoch))
        {
            writer.Write([new float[200], new float[200]]);
        }
        var error = Assert.Throws<EegDataException>(() => ChunkedRecording.Open(path));
        Assert.Contains("too few montage electrodes: 15 of the 16 the double-banana chains need are missing (F3,", error.Message);
    }
}
