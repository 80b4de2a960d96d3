using Hbac.Eeg.Formats;
using Hbac.Eeg.Formats.Edf;
using Hbac.Eeg.Montage;
using Hbac.Eeg.Reports;
using Hbac.Eeg.Windows;

namespace Hbac.Eeg.Tests.Reports;

public class RecordingScorerTests
{
    /// <summary>A 250-s EDF of noise whose Cz is flat from 100 s and whose O1, O2 and T4 are too from 150 s.</summary>
    private static string WriteRecording(TempFolder folder)
    {
        var random = new Random(5);
        var seconds = 250;
        var channels = KaggleMontage.Columns.Select(_ => Enumerable.Range(0, seconds * 200).Select(_ => (float)(random.NextDouble() * 60 - 30)).ToArray()).ToArray();
        channels[KaggleMontage.ColumnIndex("Cz")].AsSpan(100 * 200).Clear();
        channels[KaggleMontage.ColumnIndex("O1")].AsSpan(150 * 200).Clear();
        channels[KaggleMontage.ColumnIndex("O2")].AsSpan(150 * 200).Clear();
        channels[KaggleMontage.ColumnIndex("T4")].AsSpan(150 * 200).Clear();
        var path = folder.File("r.edf");
        using var writer = new EdfPlusWriter(path, [.. KaggleMontage.Columns.Select(c => "EEG " + c)], 200, -3000, 3000, seconds, [], DateTime.UnixEpoch);
        writer.Write(channels);
        return path;
    }

    [Fact]
    public async Task EverySegmentIsScoredInOrderWithItsQuality()
    {
        using var folder = new TempFolder();
        using var recording = ChunkedRecording.Open(WriteRecording(folder));
        var batches = new List<int>();
        var seen = new List<SegmentScore>();
        var segments = await RecordingScorer.ScoreAsync(recording,
            (inputs, count, _) =>
            {
                Assert.Equal(count * EegWindow.Size, inputs.Length);
                batches.Add(count);
                return Task.FromResult<IReadOnlyList<float[]>>([.. Enumerable.Range(0, count).Select(i => new float[] { 0.1f, 0, 0, 0, 0, 0.9f })]);
            },
            stepSeconds: 10, progress: null, CancellationToken.None,
            scored: added => { seen.AddRange(added); return Task.CompletedTask; });

        // Windows end at 50, 60, ..., 250 s: 21 segments, 20-30 s to 220-230 s, in batches of 16 and 5.
        Assert.Equal(21, segments.Count);
        Assert.Equal([16, 5], batches);
        Assert.Equal(segments, seen);
        Assert.Equal(Enumerable.Range(0, 21).Select(i => 20.0 + 10 * i), segments.Select(s => s.StartSeconds));
        Assert.Equal("ok", segments[7].Quality.Flag);            // 90-100 s
        Assert.Equal("Cz:flat", segments[8].Quality.Details);    // 100-110 s: degraded, still scored
        Assert.True(segments[8].Scored);
        Assert.Equal("not_scored", segments[13].Quality.Flag);   // 150-160 s: three flat chain electrodes (and Cz)
        Assert.Equal("O1:flat;Cz:flat;T4:flat;O2:flat", segments[13].Quality.Details);
    }

    [Fact]
    public async Task ForAModelThatPoolsFirstEveryWindowIsTheWholeWindowPooled()
    {
        using var folder = new TempFolder();
        using var recording = ChunkedRecording.Open(WriteRecording(folder));
        var pooling = new InputPooling(1, 30);
        var whole = new List<float[]>();
        var pooled = new List<float[]>();
        static BatchScorer Keeping(List<float[]> kept) => (inputs, count, _) =>
        {
            var size = inputs.Length / count;
            kept.AddRange(Enumerable.Range(0, count).Select(i => inputs[(i * size)..((i + 1) * size)]));
            return Task.FromResult<IReadOnlyList<float[]>>([.. Enumerable.Range(0, count).Select(_ => new float[] { 1, 0, 0, 0, 0, 0 })]);
        };

        await RecordingScorer.ScoreAsync(recording, Keeping(whole), stepSeconds: 10, progress: null, CancellationToken.None);
        await RecordingScorer.ScoreAsync(recording, Keeping(pooled), stepSeconds: 10, progress: null, CancellationToken.None, pooled: pooling);

        Assert.Equal(21, pooled.Count);
        Assert.All(pooled, input => Assert.Equal(pooling.Size, input.Length));
        for (var i = 0; i < whole.Count; i++)
        {
            var expected = new float[pooling.Size];
            pooling.Pool(whole[i], 1, expected);
            Assert.Equal(expected, pooled[i]);
        }
    }
}
