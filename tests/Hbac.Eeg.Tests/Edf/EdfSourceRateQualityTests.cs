using Hbac.Eeg.Formats;
using Hbac.Eeg.Montage;
using Hbac.Eeg.Reports;

namespace Hbac.Eeg.Tests.Edf;

/// <summary>
/// Signal quality of an EDF/BDF file is judged on its own samples, before resampling: clipping pins samples to the
/// amplifier's rail, and resampling 256 Hz to 200 Hz rings around it, so the resampled signal never sits on it.
/// </summary>
public class EdfSourceRateQualityTests
{
    // TestEdfSignal's default range: +-3200 uV over +-32768 steps.
    private const double MicrovoltsPerStep = 6400.0 / 65535;

    /// <summary>60 s of noise (+-40 uV) per signal at samplesPerRecord per record, one signal clipped at +-20 uV.</summary>
    private static string Write(TempFolder folder, IReadOnlyList<string> labels, int samplesPerRecord, string recordDuration, string? clipped)
    {
        var random = new Random(5);
        var records = (int)Math.Round(60 / double.Parse(recordDuration, System.Globalization.CultureInfo.InvariantCulture));
        var rail = (int)Math.Round(20 / MicrovoltsPerStep);
        var signals = labels.Select(label =>
        {
            var digital = Enumerable.Range(0, samplesPerRecord * records).Select(_ => (int)Math.Round((random.NextDouble() * 80 - 40) / MicrovoltsPerStep)).ToArray();
            return new TestEdfSignal { Label = label, SamplesPerRecord = samplesPerRecord, Digital = label == clipped ? [.. digital.Select(d => Math.Clamp(d, -rail, rail))] : digital };
        }).ToList();
        var path = folder.File($"{samplesPerRecord}-{recordDuration}.edf");
        File.WriteAllBytes(path, new TestEdfWriter { Records = records, RecordDuration = recordDuration, Signals = signals }.ToBytes());
        return path;
    }

    private static async Task<IReadOnlyList<SegmentScore>> Report(string path)
    {
        using var recording = ChunkedRecording.Open(path);
        return await RecordingScorer.ScoreAsync(recording,
            (_, count, _) => Task.FromResult<IReadOnlyList<float[]>>([.. Enumerable.Range(0, count).Select(_ => new float[] { 0, 0, 0, 0, 0, 1 })]),
            stepSeconds: 10, progress: null, CancellationToken.None);
    }

    private static readonly string[] Referential = [.. KaggleMontage.Columns.Select(c => c == "EKG" ? "ECG EKG" : $"EEG {c}-REF")];

    [Theory]
    [InlineData(200, "1")]
    [InlineData(256, "1")]
    [InlineData(250, "1")]
    [InlineData(500, "1")]
    [InlineData(77, "0.3")]   // 256.67 Hz: seconds are cut at floor((k + 1) x rate)
    public async Task AClippedElectrodeIsFlaggedSaturatedAtAnyRate(int samplesPerRecord, string recordDuration)
    {
        using var folder = new TempFolder();
        var segments = await Report(Write(folder, Referential, samplesPerRecord, recordDuration, clipped: "EEG F7-REF"));

        Assert.Equal(2, segments.Count);   // windows ending at 50 and 60 s
        Assert.All(segments, s => Assert.Equal(("degraded", "F7:saturated"), (s.Quality.Flag, s.Quality.Details)));
    }

    [Theory]
    [InlineData(200)]
    [InlineData(256)]
    public async Task ABipolarFilesClippedChainIsFlaggedSaturatedAtAnyRate(int rate)
    {
        using var folder = new TempFolder();
        var segments = await Report(Write(folder, [.. KaggleMontage.ChainNames, "ECG"], rate, "1", clipped: "F7-T3"));

        Assert.All(segments, s => Assert.Equal(("degraded", "F7-T3:saturated"), (s.Quality.Flag, s.Quality.Details)));
    }

    [Fact]
    public async Task UnclippedNoiseAt256HzIsOk()
    {
        using var folder = new TempFolder();
        var segments = await Report(Write(folder, Referential, 256, "1", clipped: null));

        Assert.All(segments, s => Assert.Equal("ok", s.Quality.Flag));
    }

    [Fact]
    public void AtTwoHundredHertzTheSourceSecondsAreTheColumnsSeconds()
    {
        using var folder = new TempFolder();
        using var recording = ChunkedRecording.Open(Write(folder, Referential, 200, "1", clipped: null));

        var chunks = recording.ReadChunks(7).ToList();

        var seconds = chunks.SelectMany(c => c.SourceSeconds!).ToList();
        Assert.Equal(60, seconds.Count);
        for (var e = 0; e < KaggleMontage.Electrodes.Count; e++)
        {
            var column = chunks.SelectMany(c => c.Columns[KaggleMontage.ColumnIndex(KaggleMontage.Electrodes[e])]).ToArray();
            for (var s = 0; s < 60; s++)
            {
                Assert.Equal(SecondStatistics.Of(column.AsSpan(s * 200, 200)), seconds[s][e]);
            }
        }
    }

    [Fact]
    public void ASourceSecondOfTheWrongWidthIsRefused()
    {
        var columns = KaggleMontage.Columns.Select(_ => new float[200]).ToArray();

        var e = Assert.Throws<ArgumentException>(() => new SignalQualityTracker().Append(new RecordingChunk(columns, null, [new SecondStatistics[16]])));
        Assert.Contains("16 signals, expected the 19 electrodes", e.Message);
        e = Assert.Throws<ArgumentException>(() => SignalQualityTracker.ForChains().Append(new RecordingChunk(columns, null, [new SecondStatistics[19]])));
        Assert.Contains("19 signals, expected the 16 chains", e.Message);
    }
}
