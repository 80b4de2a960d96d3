using System.Globalization;
using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Labels;
using Hbac.Eeg.Montage;
using Hbac.Eeg.Spectrograms;
using Hbac.Eeg.Synthetic;

namespace Hbac.Eeg.Tests.Synthetic;

/// <summary>A small dataset generated once for the file-level tests.</summary>
public sealed class SmallSyntheticDataset : IDisposable
{
    public SmallSyntheticDataset()
    {
        Folder = Path.Combine(Directory.CreateTempSubdirectory("hbac-synth-").FullName, "data");
        var reports = new List<SyntheticProgress>();
        Summary = SyntheticDataset.Generate(new SyntheticOptions { OutputFolder = Folder, Patients = 5, Seed = 7 }, new ListProgress(reports));
        Progress = reports;
    }

    public string Folder { get; }

    public SyntheticDatasetSummary Summary { get; }

    public IReadOnlyList<SyntheticProgress> Progress { get; }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(Folder)!, recursive: true);

    private sealed class ListProgress(List<SyntheticProgress> reports) : IProgress<SyntheticProgress>
    {
        public void Report(SyntheticProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}

internal static class Csv
{
    public static (string[] Header, List<string[]> Rows) Read(string path)
    {
        var lines = File.ReadAllLines(path);
        return (lines[0].Split(','), lines.Skip(1).Select(l => l.Split(',')).ToList());
    }

    public static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);
}

public class SyntheticDatasetTests(SmallSyntheticDataset dataset) : IClassFixture<SmallSyntheticDataset>
{
    private string PathOf(string relative) => Path.Combine(dataset.Folder, relative);

    [Fact]
    public void TrainCsvHasKagglesColumnsAndConsistentRows()
    {
        var (header, rows) = Csv.Read(PathOf("train.csv"));
        Assert.Equal(
            "eeg_id,eeg_sub_id,eeg_label_offset_seconds,spectrogram_id,spectrogram_sub_id,spectrogram_label_offset_seconds," +
            "label_id,patient_id,expert_consensus,seizure_vote,lpd_vote,gpd_vote,lrda_vote,grda_vote,other_vote",
            string.Join(',', header));
        Assert.Equal(dataset.Summary.TrainRows, rows.Count);
        Assert.True(rows.Count >= 20, $"{rows.Count} rows");
        foreach (var row in rows)
        {
            var votes = row[9..15].Select(int.Parse).ToArray();
            Assert.InRange(votes.Sum(), 1, 28);
            Assert.Equal(votes.Max(), votes[EegClasses.IndexOf(row[8])]);
            Assert.EndsWith(".0", row[2]);
            Assert.Equal(0, Csv.Number(row[2]) % 2);
            Assert.Equal(0, Csv.Number(row[5]) % 2);
        }
        Assert.Equal(rows.Count, rows.Select(r => r[6]).Distinct().Count());
        foreach (var eeg in rows.GroupBy(r => r[0]))
        {
            Assert.Equal(Enumerable.Range(0, eeg.Count()), eeg.Select(r => int.Parse(r[1])));
            // One EEG file sits at one place in its spectrogram: the offset difference is constant.
            Assert.Single(eeg.Select(r => Csv.Number(r[5]) - Csv.Number(r[2])).Distinct());
            Assert.Single(eeg.Select(r => r[3]).Distinct());
            Assert.Single(eeg.Select(r => r[7]).Distinct());
            // All labels of an EEG are rated by the same panel.
            Assert.Single(eeg.Select(r => r[9..15].Select(int.Parse).Sum()).Distinct());
        }
        foreach (var spectrogram in rows.GroupBy(r => r[3]))
        {
            Assert.Equal(Enumerable.Range(0, spectrogram.Count()), spectrogram.Select(r => int.Parse(r[4])));
        }
    }

    [Fact]
    public void EveryLabelWindowLiesInsideItsEegAndSpectrogramFiles()
    {
        var (_, rows) = Csv.Read(PathOf("train.csv"));
        foreach (var eeg in rows.GroupBy(r => r[0]))
        {
            var recording = EegParquetReader.Read(PathOf($"train_eegs/{eeg.Key}.parquet"));
            Assert.Equal(Csv.Number(eeg.Last()[2]) + 50, recording.DurationSeconds);
            var spectrogram = SpectrogramParquetReader.Read(PathOf($"train_spectrograms/{eeg.First()[3]}.parquet"));
            Assert.Equal(Enumerable.Range(0, spectrogram.Columns).Select(k => 2f * k + 1), spectrogram.Times);
            Assert.All(eeg, r => Assert.InRange(Csv.Number(r[5]) / 2 + 300, 300, spectrogram.Columns));
        }
    }

    /// <summary>
    /// The spectrogram was computed from the long recording the EEG file was cut from: transform 7 of the
    /// EEG file gives the same columns where they line up (the file starts 275 + spectrogram offset -
    /// EEG offset seconds into the spectrogram, an odd number, so its column centres fall 1 s off the
    /// spectrogram's; dropping its first second lines them up).
    /// </summary>
    [Fact]
    public void EegFilesAreExcerptsOfTheRecordingBehindTheirSpectrogram()
    {
        var (_, rows) = Csv.Read(PathOf("train.csv"));
        var compared = 0;
        foreach (var eeg in rows.GroupBy(r => r[0]))
        {
            var file = EegParquetReader.Read(PathOf($"train_eegs/{eeg.Key}.parquet"));
            var spectrogram = SpectrogramParquetReader.Read(PathOf($"train_spectrograms/{eeg.First()[3]}.parquet"));
            var start = (int)(Csv.Number(eeg.First()[5]) - Csv.Number(eeg.First()[2])) + 275;
            Assert.Equal(1, start % 2);
            var trimmed = new EegRecording(file.Channels, [.. file.Samples.Select(s => s[200..])], 200);
            var own = EegSpectrogram.Compute(trimmed);
            for (var j = 0; j < own.Columns; j++)
            {
                var centre = j * 400;
                if (centre - 512 < 0 || centre + 512 > trimmed.Length)
                {
                    continue;
                }
                var k = (start + 1 + 2 * j) / 2;
                for (var row = 0; row < SpectrogramLayout.Rows; row += 7)
                {
                    var expected = spectrogram[row, k];
                    if (float.IsNaN(expected))
                    {
                        continue;
                    }
                    Assert.Equal(expected, own[row, j], Math.Max(1e-6, Math.Abs(expected) * 1e-4));
                }
                compared++;
            }
        }
        Assert.True(compared > 20, $"only {compared} columns compared");
    }

    [Fact]
    public void TestSplitLooksLikeKagglesTestFolder()
    {
        var (header, rows) = Csv.Read(PathOf("test.csv"));
        Assert.Equal(["spectrogram_id", "eeg_id", "patient_id"], header);
        Assert.Equal(dataset.Summary.TestRows, rows.Count);
        Assert.NotEmpty(rows);
        var trainPatients = Csv.Read(PathOf("train.csv")).Rows.Select(r => r[7]).ToHashSet();
        foreach (var row in rows)
        {
            Assert.DoesNotContain(row[2], trainPatients);
            var eeg = EegParquetReader.Read(PathOf($"test_eegs/{row[1]}.parquet"));
            Assert.Equal(10_000, eeg.Length);
            var spectrogram = SpectrogramParquetReader.Read(PathOf($"test_spectrograms/{row[0]}.parquet"));
            Assert.Equal(300, spectrogram.Columns);
            Assert.Equal(1f, spectrogram.Times[0]);
            Assert.Equal(599f, spectrogram.Times[^1]);
        }
        var (solutionHeader, solution) = Csv.Read(PathOf("test_solution.csv"));
        Assert.Equal(["eeg_id", .. EegClasses.VoteColumns], solutionHeader);
        Assert.Equal(rows.Select(r => r[1]), solution.Select(r => r[0]));
        Assert.All(solution, r => Assert.Equal(1, r[1..].Sum(Csv.Number), 9));
        // Same text per row as Kaggle's sample_submission.csv.
        var sample = File.ReadAllLines(PathOf("sample_submission.csv"));
        Assert.Equal("eeg_id,seizure_vote,lpd_vote,gpd_vote,lrda_vote,grda_vote,other_vote", sample[0]);
        Assert.Equal(rows.Select(r => r[1] + string.Concat(Enumerable.Repeat(",0.16666666666666666", 6))), sample.Skip(1));
    }

    [Fact]
    public void TruthGivesABestAchievableKlWellBelowTheClassPrior()
    {
        var (_, train) = Csv.Read(PathOf("train.csv"));
        var (header, truth) = Csv.Read(PathOf("truth.csv"));
        Assert.Equal(["split", "label_id", "eeg_id", "patient_id", .. EegClasses.VoteColumns], header);
        Assert.Equal(train.Count + dataset.Summary.TestRows, truth.Count);
        var byLabel = truth.Where(t => t[0] == "train").ToDictionary(t => t[1], t => t[4..].Select(Csv.Number).ToArray());
        Assert.All(byLabel.Values, p => Assert.Equal(1, p.Sum(), 9));

        var targets = train.Select(r =>
        {
            var votes = r[9..15].Select(Csv.Number).ToArray();
            return votes.Select(v => v / votes.Sum()).ToArray();
        }).ToList();
        var prior = Enumerable.Range(0, 6).Select(c => targets.Average(t => t[c])).ToArray();
        var best = train.Select((r, i) => VoteModel.KlDivergence(targets[i], byLabel[r[6]])).Average();
        var constant = targets.Average(t => VoteModel.KlDivergence(t, prior));
        Assert.Equal(dataset.Summary.BestAchievableTrainKl, best, 9);
        Assert.Equal(dataset.Summary.ClassPriorTrainKl, constant, 9);
        Assert.True(best < 0.75 * constant, $"best {best:0.000}, prior {constant:0.000}");
        // A perfect reader of the signal knows less than the truth and far more than the prior.
        var reader = PerfectReader.Draw(200_000, seed: 1);
        var read = train.Select((r, i) => VoteModel.KlDivergence(targets[i], reader.Predict(byLabel[r[6]]))).Average();
        Assert.True(best < read && read < 0.75 * constant, $"best {best:0.000}, perfect reader {read:0.000}, prior {constant:0.000}");
        var manifest = File.ReadAllText(PathOf(SyntheticDataset.ManifestFile));
        Assert.Contains("\"seed\": 7", manifest);
        Assert.Contains("\"complete\": true", manifest);
    }

    [Fact]
    public void TheProjectsOwnCsvReadersAcceptTheFiles()
    {
        var train = TrainLabels.Read(PathOf("train.csv"));
        Assert.Equal(dataset.Summary.TrainRows, train.Count);
        Assert.All(train, label =>
        {
            Assert.InRange(label.TotalVotes, 1, 28);
            Assert.Equal(label.Votes.Max(), label.Votes[label.ExpertConsensus]);
            Assert.Equal(0, label.EegLabelOffsetSeconds % 2);
        });
        var test = TestEntries.Read(PathOf("test.csv"));
        Assert.Equal(dataset.Summary.TestRows, test.Count);
        var solution = VoteTable.Read(PathOf("test_solution.csv"), normalise: false);
        Assert.Equal(test.Select(t => t.EegId), solution.Select(s => s.EegId));
        // truth.csv carries the vote columns too (as probabilities), so it scores like a submission.
        var truth = VoteTable.Read(PathOf("truth.csv"), normalise: false).TakeLast(test.Count).ToList();
        Assert.Equal(test.Select(t => t.EegId), truth.Select(t => t.EegId));
        var best = solution.Zip(truth, (s, t) => VoteModel.KlDivergence(s.Values, t.Values)).Average();
        Assert.InRange(best, 0, 2);
    }

    [Fact]
    public void ProgressCountsEveryRecordingUpToTheTotal()
    {
        var reports = dataset.Progress;
        var total = reports[0].TotalRecordings;
        Assert.Equal(new SyntheticProgress(0, total), reports[0]);
        Assert.Equal(total + 1, reports.Count);
        Assert.Equal(Enumerable.Range(0, total + 1), reports.Select(r => r.CompletedRecordings).Order());
        var spectrograms = Directory.GetFiles(PathOf("train_spectrograms")).Length + Directory.GetFiles(PathOf("test_spectrograms")).Length;
        Assert.Equal(total, spectrograms);
    }
}

public sealed class SyntheticDatasetFolderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hbac-synth-folders-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private SyntheticDatasetSummary Generate(string name, ulong seed, int patients = 2) =>
        SyntheticDataset.Generate(new SyntheticOptions { OutputFolder = Path.Combine(_root, name), Patients = patients, Seed = seed });

    private static Dictionary<string, byte[]> Files(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes);

    [Fact]
    public void TheSameSeedWritesIdenticalFilesAndAnotherSeedDifferentOnes()
    {
        Generate("a", seed: 5);
        Generate("b", seed: 5);
        Generate("c", seed: 6);
        var a = Files(Path.Combine(_root, "a"));
        var b = Files(Path.Combine(_root, "b"));
        var c = Files(Path.Combine(_root, "c"));
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        Assert.All(a, file => Assert.Equal(file.Value, b[file.Key]));
        Assert.NotEqual(a["train.csv"], c["train.csv"]);
        Assert.Empty(a.Keys.Where(k => k.EndsWith(".parquet")).Intersect(c.Keys));
    }

    [Fact]
    public void AFolderWithOtherFilesIsRefusedAndLeftAlone()
    {
        var folder = Path.Combine(_root, "mine");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "thesis.txt"), "precious");
        var e = Assert.Throws<EegDataException>(() => Generate("mine", seed: 1));
        Assert.Contains(folder, e.Message);
        Assert.Contains(SyntheticDataset.ManifestFile, e.Message);
        Assert.Equal(["thesis.txt"], Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName));
    }

    [Fact]
    public void APreviousOutputIsReplacedWithoutStaleFiles()
    {
        Generate("again", seed: 1);
        var stale = Path.Combine(_root, "again", "train_eegs", "123.parquet");
        File.WriteAllText(stale, "old");
        var summary = Generate("again", seed: 2);
        Assert.False(File.Exists(stale));
        var (_, rows) = Csv.Read(Path.Combine(_root, "again", "train.csv"));
        Assert.Equal(summary.TrainRows, rows.Count);
        Assert.Equal(rows.Select(r => r[0]).Distinct().Order(), Directory.GetFiles(Path.Combine(_root, "again", "train_eegs")).Select(Path.GetFileNameWithoutExtension).Order());
    }

    [Fact]
    public void AnInterruptedRunCanBeRepeated()
    {
        var folder = Path.Combine(_root, "cut");
        using var cancel = new CancellationTokenSource();
        var progress = new CancelOnFirstRecording(cancel);
        Assert.ThrowsAny<OperationCanceledException>(() => SyntheticDataset.Generate(
            new SyntheticOptions { OutputFolder = folder, Patients = 3, Seed = 1, MaxDegreeOfParallelism = 1 }, progress, cancel.Token));
        Assert.Contains("\"complete\": false", File.ReadAllText(Path.Combine(folder, SyntheticDataset.ManifestFile)));
        Assert.False(File.Exists(Path.Combine(folder, "train.csv")));
        var options = new SyntheticOptions { OutputFolder = folder, Patients = 3, Seed = 1 };
        Assert.False(SyntheticDataset.IsComplete(folder, options));

        var summary = Generate("cut", seed: 1, patients: 3);
        Assert.Equal(summary.TrainRows, File.ReadAllLines(Path.Combine(folder, "train.csv")).Length - 1);
        Assert.True(SyntheticDataset.IsComplete(folder, options));
        Assert.False(SyntheticDataset.IsComplete(folder, options with { Seed = 2 }));
        Assert.False(SyntheticDataset.IsComplete(folder, options with { Patients = 4 }));
        File.WriteAllText(Path.Combine(folder, SyntheticDataset.ManifestFile), "{ not json");
        Assert.False(SyntheticDataset.IsComplete(folder, options));
        Assert.False(SyntheticDataset.IsComplete(Path.Combine(_root, "missing"), options));
    }

    private sealed class CancelOnFirstRecording(CancellationTokenSource cancel) : IProgress<SyntheticProgress>
    {
        public void Report(SyntheticProgress value)
        {
            if (value.CompletedRecordings == 1)
            {
                cancel.Cancel();
            }
        }
    }

    [Fact]
    public void TooFewPatientsIsRefused()
    {
        var e = Assert.Throws<EegDataException>(() => Generate("one", seed: 1, patients: 1));
        Assert.Contains("patients", e.Message);
    }
}
