using Hbac.Eeg.Formats;
using Hbac.Eeg.Formats.Edf;
using Hbac.Eeg.Montage;
using Hbac.Eeg.Reports;
using Hbac.Eeg.Tests.Montage;
using Hbac.Eeg.Windows;

using static Hbac.Eeg.Tests.Edf.ReferentialNoise;

namespace Hbac.Eeg.Tests.Edf;

/// <summary>
/// A bipolar file (CHB-MIT's labels) holds the same chains as the referential file it was formed from, so
/// both must give the models the same input, up to the files' 16-bit rounding.
/// </summary>
public class EdfBipolarTests
{
    /// <summary>60 s of referential EEG-like noise in Kaggle order (<see cref="ReferentialNoise"/>).</summary>
    private static float[][] Referential(int rate, int seconds = 60) => Signals(rate, seconds, seed: 11);

    private static string WriteReferential(TempFolder folder, float[][] referential, int rate)
    {
        var path = folder.File($"referential{rate}.edf");
        using var writer = new EdfPlusWriter(path, [.. KaggleMontage.Columns.Select(c => $"EEG {c}-REF")], rate, -PhysicalRange, PhysicalRange, referential[0].Length / rate, [], DateTime.UnixEpoch);
        writer.Write(referential);
        return path;
    }

    /// <summary>CHB-MIT's 23 derivations, formed from the referential signals (FT9 and FT10 stand in as Fz and Cz), plus its ECG.</summary>
    private static string WriteBipolar(TempFolder folder, float[][] referential, int rate, IEnumerable<string>? labels = null)
    {
        var chosen = (labels ?? BipolarChainsTests.ChbMitLabels).ToList();
        float[] Electrode(string name) => Column(referential, name switch { "FT9" => "Fz", "FT10" => "Cz", _ => ElectrodeNames.Canonical(name)! });
        var signals = chosen.Select(label =>
        {
            var names = label.Split('-');
            var (a, b) = (Electrode(names[0]), Electrode(names[1]));
            return a.Zip(b, (x, y) => x - y).ToArray();
        }).Append(Column(referential, "EKG")).ToList();
        var path = folder.File($"bipolar{rate}.edf");
        using var writer = new EdfPlusWriter(path, [.. chosen, "ECG"], rate, -PhysicalRange, PhysicalRange, referential[0].Length / rate, [new EdfAnnotation(5, null, "seizure")], DateTime.UnixEpoch);
        writer.Write(signals);
        return path;
    }

    private static float[][] Whole(ChunkedRecording recording)
    {
        var chunks = recording.Chunks(10).ToList();
        return [.. Enumerable.Range(0, KaggleMontage.Columns.Count).Select(c => chunks.SelectMany(chunk => chunk[c]).ToArray())];
    }

    private static void SameChains(float[][] expected, float[][] actual, double tolerance)
    {
        Assert.Equal(expected[0].Length, actual[0].Length);
        foreach (var (a, b) in KaggleMontage.Chains)
        {
            var (ea, eb, aa, ab) = (Column(expected, a), Column(expected, b), Column(actual, a), Column(actual, b));
            var worst = Enumerable.Range(0, ea.Length).Max(n => Math.Abs((ea[n] - eb[n]) - (aa[n] - ab[n])));
            Assert.True(worst <= tolerance, $"{a}-{b}: differs by up to {worst} uV");
        }
    }

    [Fact]
    public void ABipolar200HzFileIsStreamedAndGivesTheReferentialFilesChainsAndModelInput()
    {
        using var folder = new TempFolder();
        var referential = Referential(200);
        using var fromReferential = ChunkedRecording.Open(WriteReferential(folder, referential, 200));
        using var fromBipolar = ChunkedRecording.Open(WriteBipolar(folder, referential, 200));

        Assert.Equal("referential", fromReferential.Montage);
        Assert.Equal("bipolar", fromBipolar.Montage);
        Assert.True(fromBipolar.Streamed);
        Assert.Equal(KaggleMontage.ChainElectrodes, fromBipolar.Electrodes);
        Assert.Equal(17, fromBipolar.Mapped.Count);
        Assert.Equal(("Fp1-F7", "FP1-F7"), fromBipolar.Mapped[0]);
        Assert.Equal(("T4-T6", "T8-P8"), fromBipolar.Mapped[6]);
        Assert.Equal(("EKG", "ECG"), fromBipolar.Mapped[^1]);

        var a = Whole(fromReferential);
        var b = Whole(fromBipolar);
        // Each file rounds to 0.1 uV: a referential chain is two roundings, a bipolar one, plus half a loop's roundings.
        SameChains(a, b, 0.45);
        Assert.Equal(a[^1], b[^1]);   // the ECG column
        Assert.Equal([new EdfAnnotation(5, null, "seizure")], fromBipolar.Annotations);

        var inputA = new float[EegWindow.Size];
        var inputB = new float[EegWindow.Size];
        EegWindow.Compute(a, 0, inputA);
        EegWindow.Compute(b, 0, inputB);
        var differences = inputA.Zip(inputB, (x, y) => Math.Abs(x - y)).Order().ToArray();
        // Standardised log powers (std 1): 0.1-uV rounding moves them by 0.003 on average (0.26 at worst, in a bin
        // whose power is near 0); a wrong sign or a chain on the wrong electrodes moves them by about 1.
        Assert.True(differences.Average() < 0.01 && differences[differences.Length / 2] < 0.005,
            $"model inputs differ by {differences.Average()} on average, median {differences[differences.Length / 2]}");
    }

    [Fact]
    public void ABipolar256HzFileIsStreamedResampledAndGivesTheReferentialFilesChains()
    {
        using var folder = new TempFolder();
        var referential = Referential(256, seconds: 30);
        using var fromReferential = ChunkedRecording.Open(WriteReferential(folder, referential, 256));
        using var fromBipolar = ChunkedRecording.Open(WriteBipolar(folder, referential, 256));
        Assert.True(fromBipolar.Streamed);
        Assert.Equal("bipolar", fromBipolar.Montage);
        Assert.Equal(256, fromBipolar.SourceSampleRateHz);
        SameChains(Whole(fromReferential), Whole(fromBipolar), 0.45);

        // The spectrogram path (preprocessing's EDF conversion) loads it whole: the same samples, bit for bit.
        var loaded = EdfRecordingLoader.Load(folder.File("bipolar256.edf"));
        Assert.Equal([.. KaggleMontage.ChainElectrodes.Append("EKG")], loaded.Channels);
        Assert.Equal(30 * 200, loaded.Length);
        var streamed = Whole(fromBipolar);
        foreach (var channel in loaded.Channels)
        {
            Assert.Equal(loaded.Channel(channel), streamed[KaggleMontage.ColumnIndex(channel)]);
        }
    }

    [Fact]
    public async Task ABipolarFilesSegmentsAreScoredWithNoElectrodeCalledBad()
    {
        using var folder = new TempFolder();
        using var recording = ChunkedRecording.Open(WriteBipolar(folder, Referential(200), 200));
        var segments = await RecordingScorer.ScoreAsync(recording,
            (_, count, _) => Task.FromResult<IReadOnlyList<float[]>>([.. Enumerable.Range(0, count).Select(_ => new float[] { 0, 0, 0, 0, 0, 1 })]),
            stepSeconds: 10, progress: null, CancellationToken.None);
        Assert.Equal(2, segments.Count);   // windows ending at 50 and 60 s
        Assert.All(segments, s => Assert.Equal("ok", s.Quality.Flag));
    }

    [Fact]
    public async Task ABipolarFilesDeadDerivationIsFlaggedByItsChainAndTheSegmentsStayScored()
    {
        using var folder = new TempFolder();
        var referential = Referential(200);
        // F7 and T3 bridged: the file's F7-T7 derivation is all zeros, though neither electrode is flat.
        Column(referential, "F7").CopyTo(Column(referential, "T3"), 0);
        using var recording = ChunkedRecording.Open(WriteBipolar(folder, referential, 200));
        static Task<IReadOnlyList<float[]>> Other(float[] inputs, int count, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<float[]>>([.. Enumerable.Range(0, count).Select(_ => new float[] { 0, 0, 0, 0, 0, 1 })]);

        var segments = await RecordingScorer.ScoreAsync(recording, Other, stepSeconds: 10, progress: null, CancellationToken.None);

        Assert.Equal(2, segments.Count);
        Assert.All(segments, s => Assert.Equal(("degraded", "F7-T3:flat"), (s.Quality.Flag, s.Quality.Details)));
        // The referential file of the same signals is judged per electrode: nothing is wrong with F7 or T3 there.
        using var asReferential = ChunkedRecording.Open(WriteReferential(folder, referential, 200));
        var referentialSegments = await RecordingScorer.ScoreAsync(asReferential, Other, stepSeconds: 10, progress: null, CancellationToken.None);
        Assert.All(referentialSegments, s => Assert.Equal("ok", s.Quality.Flag));
    }

    [Fact]
    public async Task ABipolarFilesClippedDerivationIsFlaggedSaturated()
    {
        using var folder = new TempFolder();
        var referential = Referential(200);
        var path = WriteBipolar(folder, referential, 200);
        // Rewrite with F7-T7 clipped at +-20 uV, as an amplifier's range would pin it.
        var labels = BipolarChainsTests.ChbMitLabels.ToList();
        float[] Electrode(string name) => Column(referential, name switch { "FT9" => "Fz", "FT10" => "Cz", _ => ElectrodeNames.Canonical(name)! });
        var signals = labels.Select(label =>
        {
            var names = label.Split('-');
            var d = Electrode(names[0]).Zip(Electrode(names[1]), (x, y) => x - y).ToArray();
            return label == "F7-T7" ? d.Select(v => Math.Clamp(v, -20f, 20f)).ToArray() : d;
        }).Append(Column(referential, "EKG")).ToList();
        using (var writer = new EdfPlusWriter(path, [.. labels, "ECG"], 200, -PhysicalRange, PhysicalRange, 60, [], DateTime.UnixEpoch))
        {
            writer.Write(signals);
        }
        using var recording = ChunkedRecording.Open(path);
        var segments = await RecordingScorer.ScoreAsync(recording,
            (_, count, _) => Task.FromResult<IReadOnlyList<float[]>>([.. Enumerable.Range(0, count).Select(_ => new float[] { 0, 0, 0, 0, 0, 1 })]),
            stepSeconds: 10, progress: null, CancellationToken.None);
        Assert.All(segments, s => Assert.Equal("F7-T3:saturated", s.Quality.Details));
    }

    [Fact]
    public void AReferentialFileWithoutFzCzAndPzIsReadAndThoseAreNotJudged()
    {
        using var folder = new TempFolder();
        var referential = Referential(200);
        var path = folder.File("no-central.edf");
        var kept = KaggleMontage.Columns.Where(c => c is not ("Fz" or "Cz" or "Pz")).ToList();
        using (var writer = new EdfPlusWriter(path, [.. kept.Select(c => $"EEG {c}")], 200, -PhysicalRange, PhysicalRange, 60, [], DateTime.UnixEpoch))
        {
            writer.Write([.. kept.Select(c => Column(referential, c))]);
        }
        using var recording = ChunkedRecording.Open(path);
        Assert.Equal("referential", recording.Montage);
        Assert.Equal(KaggleMontage.ChainElectrodes, recording.Electrodes);
        var columns = Whole(recording);
        Assert.All(Column(columns, "Cz"), v => Assert.Equal(0f, v));
        var tracker = new SignalQualityTracker(electrodes: recording.Electrodes);
        tracker.Append(columns);
        Assert.Equal("ok", tracker.Segment(0, 60).Flag);
    }

    [Fact]
    public void ABipolarFileMissingAChainIsRefusedNamingIt()
    {
        using var folder = new TempFolder();
        var path = WriteBipolar(folder, Referential(200, seconds: 6), 200, BipolarChainsTests.ChbMitLabels.Where(l => l != "P3-O1"));
        var error = Assert.Throws<EegDataException>(() => ChunkedRecording.Open(path));
        Assert.StartsWith($"{path}: too few montage electrodes: 16 of the 16 the double-banana chains need are missing (Fp1, F3, ",
            error.Message);
        Assert.Contains(", nor the 16 double-banana chains as bipolar derivations (1 missing: P3-O1); labels found: FP1-F7, F7-T7,", error.Message);
    }
}
