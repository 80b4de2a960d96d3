using System.Globalization;
using System.Text.Json;
using Hbac.Eeg.Formats.Csv;
using Hbac.Eeg.Labels;

namespace Hbac.Eeg.Synthetic;

/// <summary>
/// The built-in default data: a Kaggle-format folder (train.csv, train_eegs/, train_spectrograms/,
/// test.csv, test_eegs/, test_spectrograms/) whose votes were sampled from known class distributions,
/// written to truth.csv so the best achievable score is known. Deterministic for a seed.
/// </summary>
public static class SyntheticDataset
{
    /// <summary>Marks a folder as ours: only such a folder (or an empty one) is overwritten.</summary>
    public const string ManifestFile = "synthetic.json";
    public const string TrainCsv = "train.csv";
    public const string TestCsv = "test.csv";
    /// <summary>Per train row and per test EEG: the true class probabilities the votes were drawn from.</summary>
    public const string TruthCsv = "truth.csv";
    /// <summary>The hidden test votes, normalised, in Kaggle's solution layout (eeg_id + six *_vote columns).</summary>
    public const string TestSolutionCsv = "test_solution.csv";
    /// <summary>Kaggle's submission template: every test EEG with 1/6 for each class.</summary>
    public const string SampleSubmissionCsv = "sample_submission.csv";

    public static readonly IReadOnlyList<string> Folders = ["train_eegs", "train_spectrograms", "test_eegs", "test_spectrograms"];

    public static SyntheticDatasetSummary Generate(
        SyntheticOptions options, IProgress<SyntheticProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (options.Patients < 2)
        {
            throw new EegDataException($"patients: {options.Patients} is too few (at least 2: one for train, one for test)");
        }
        var folder = Path.GetFullPath(options.OutputFolder);
        PrepareFolder(folder);
        // Marks the folder as ours at once, so a run that is interrupted can simply be repeated.
        WriteManifest(Path.Combine(folder, ManifestFile), options, summary: null);
        var plan = new DatasetPlan(options.Patients, options.Seed);

        var total = plan.Recordings.Count;
        var done = 0;
        progress?.Report(new SyntheticProgress(0, total));
        var parallel = new ParallelOptions
        {
            CancellationToken = cancellationToken,
            MaxDegreeOfParallelism = options.MaxDegreeOfParallelism ?? Environment.ProcessorCount,
        };
        // Longest first keeps both cores busy to the end.
        var order = plan.Recordings.OrderByDescending(r => r.DurationSeconds).ThenBy(r => r.SpectrogramId).ToList();
        Parallel.ForEach(order, parallel, recording =>
        {
            RecordingSynthesizer.WriteFiles(recording, plan.Patients[recording.PatientIndex].Traits, folder);
            progress?.Report(new SyntheticProgress(Interlocked.Increment(ref done), total));
        });

        var summary = Summarise(folder, options, plan);
        WriteTrainCsv(Path.Combine(folder, TrainCsv), plan);
        WriteTestCsv(Path.Combine(folder, TestCsv), plan);
        WriteTruthCsv(Path.Combine(folder, TruthCsv), plan);
        WriteTestSolutionCsv(Path.Combine(folder, TestSolutionCsv), plan);
        WriteSampleSubmissionCsv(Path.Combine(folder, SampleSubmissionCsv), plan);
        WriteManifest(Path.Combine(folder, ManifestFile), options, summary);
        return summary;
    }

    /// <summary>
    /// True when <paramref name="folder"/> holds a finished generation with these options' seed and
    /// patient count, so a caller (the AppHost's default job) can reuse it instead of generating again.
    /// An interrupted or different generation, a foreign folder or an unreadable manifest give false.
    /// </summary>
    public static bool IsComplete(string folder, SyntheticOptions options)
    {
        var path = Path.Combine(folder, ManifestFile);
        if (!File.Exists(path))
        {
            return false;
        }
        try
        {
            using var manifest = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = manifest.RootElement;
            return root.TryGetProperty("complete", out var complete) && complete.ValueKind == JsonValueKind.True
                && root.TryGetProperty("seed", out var seed) && seed.TryGetUInt64(out var s) && s == options.Seed
                && root.TryGetProperty("patients", out var patients) && patients.TryGetInt32(out var p) && p == options.Patients;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Creates the folder, or clears a previous synthetic dataset in it (only the files we write);
    /// refuses any other non-empty folder so a typo cannot wipe someone's data.
    /// </summary>
    private static void PrepareFolder(string folder)
    {
        if (File.Exists(folder))
        {
            throw EegDataException.InFile(folder, "is a file; --out must be a folder");
        }
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
        {
            if (!File.Exists(Path.Combine(folder, ManifestFile)))
            {
                throw EegDataException.InFile(folder,
                    $"is not empty and is not a previous 'hbac synth' output (no {ManifestFile}); choose an empty or new folder");
            }
            foreach (var file in new[] { ManifestFile, TrainCsv, TestCsv, TruthCsv, TestSolutionCsv, SampleSubmissionCsv })
            {
                File.Delete(Path.Combine(folder, file));
            }
            foreach (var sub in Folders.Select(f => Path.Combine(folder, f)).Where(Directory.Exists))
            {
                foreach (var file in Directory.EnumerateFiles(sub, "*.parquet"))
                {
                    File.Delete(file);
                }
            }
        }
        Directory.CreateDirectory(folder);
        foreach (var sub in Folders)
        {
            Directory.CreateDirectory(Path.Combine(folder, sub));
        }
    }

    private static IEnumerable<(RecordingPlan Recording, EegPlan Eeg, LabelPlan Label)> Rows(DatasetPlan plan, bool test) =>
        from recording in plan.Recordings
        where recording.IsTest == test
        from eeg in recording.Eegs
        from label in eeg.Labels
        select (recording, eeg, label);

    private static string Number(double value) => CsvWriter.Format(value);

    /// <summary>Offsets as Kaggle writes them: "12.0".</summary>
    private static string Seconds(int value) => value.ToString("0.0", CultureInfo.InvariantCulture);

    private static void WriteLines(string path, IReadOnlyList<string> header, IEnumerable<IEnumerable<string>> rows) =>
        CsvWriter.Write(path, header, rows.Select(r => (IReadOnlyList<string>)r.ToList()));

    private static void WriteTrainCsv(string path, DatasetPlan plan) =>
        WriteLines(path, TrainLabels.Columns, Rows(plan, test: false).Select(r => (IEnumerable<string>)
        [
            r.Eeg.EegId.ToString(CultureInfo.InvariantCulture),
            r.Label.EegSubId.ToString(CultureInfo.InvariantCulture),
            Seconds(r.Label.EegOffsetSeconds),
            r.Recording.SpectrogramId.ToString(CultureInfo.InvariantCulture),
            r.Label.SpectrogramSubId.ToString(CultureInfo.InvariantCulture),
            Seconds(r.Label.SpectrogramOffsetSeconds),
            r.Label.LabelId.ToString(CultureInfo.InvariantCulture),
            plan.Patients[r.Recording.PatientIndex].PatientId.ToString(CultureInfo.InvariantCulture),
            EegClasses.Names[r.Label.Consensus],
            .. r.Label.Votes.Select(v => v.ToString(CultureInfo.InvariantCulture)),
        ]));

    private static void WriteTestCsv(string path, DatasetPlan plan) =>
        WriteLines(path, TestEntries.Columns, Rows(plan, test: true).Select(r => (IEnumerable<string>)
        [
            r.Recording.SpectrogramId.ToString(CultureInfo.InvariantCulture),
            r.Eeg.EegId.ToString(CultureInfo.InvariantCulture),
            plan.Patients[r.Recording.PatientIndex].PatientId.ToString(CultureInfo.InvariantCulture),
        ]));

    private static void WriteTruthCsv(string path, DatasetPlan plan) =>
        WriteLines(path, ["split", "label_id", "eeg_id", "patient_id", .. EegClasses.VoteColumns],
            Rows(plan, test: false).Concat(Rows(plan, test: true)).Select(r => (IEnumerable<string>)
            [
                r.Recording.IsTest ? "test" : "train",
                r.Label.LabelId.ToString(CultureInfo.InvariantCulture),
                r.Eeg.EegId.ToString(CultureInfo.InvariantCulture),
                plan.Patients[r.Recording.PatientIndex].PatientId.ToString(CultureInfo.InvariantCulture),
                .. r.Eeg.Truth.Select(Number),
            ]));

    private static void WriteTestSolutionCsv(string path, DatasetPlan plan) =>
        WriteLines(path, ["eeg_id", .. EegClasses.VoteColumns], Rows(plan, test: true).Select(r => (IEnumerable<string>)
        [
            r.Eeg.EegId.ToString(CultureInfo.InvariantCulture),
            .. Normalised(r.Label.Votes).Select(Number),
        ]));

    private static void WriteSampleSubmissionCsv(string path, DatasetPlan plan) =>
        WriteLines(path, ["eeg_id", .. EegClasses.VoteColumns], Rows(plan, test: true).Select(r => (IEnumerable<string>)
        [
            r.Eeg.EegId.ToString(CultureInfo.InvariantCulture),
            .. Enumerable.Repeat(Number(1.0 / EegClasses.Count), EegClasses.Count),
        ]));

    private static double[] Normalised(int[] votes)
    {
        var total = (double)votes.Sum();
        return votes.Select(v => v / total).ToArray();
    }

    private static SyntheticDatasetSummary Summarise(string folder, SyntheticOptions options, DatasetPlan plan)
    {
        var rows = Rows(plan, test: false).ToList();
        var targets = rows.Select(r => Normalised(r.Label.Votes)).ToList();
        var prior = new double[EegClasses.Count];
        foreach (var t in targets)
        {
            for (var c = 0; c < prior.Length; c++)
            {
                prior[c] += t[c] / targets.Count;
            }
        }
        var best = rows.Select((r, i) => VoteModel.KlDivergence(targets[i], r.Eeg.Truth)).Average();
        var constant = targets.Select(t => VoteModel.KlDivergence(t, prior)).Average();
        return new SyntheticDatasetSummary(
            folder,
            options.Patients,
            TrainRows: rows.Count,
            TrainEegs: rows.Select(r => r.Eeg.EegId).Distinct().Count(),
            TrainSpectrograms: rows.Select(r => r.Recording.SpectrogramId).Distinct().Count(),
            TestRows: Rows(plan, test: true).Count(),
            BestAchievableTrainKl: best,
            ClassPriorTrainKl: constant);
    }

    /// <summary>Writes the manifest; without a summary it records a generation still under way.</summary>
    private static void WriteManifest(string path, SyntheticOptions options, SyntheticDatasetSummary? summary)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("generator", "hbac synth");
        json.WriteNumber("format_version", 1);
        json.WriteNumber("seed", options.Seed);
        json.WriteNumber("patients", options.Patients);
        json.WriteBoolean("complete", summary is not null);
        if (summary is null)
        {
            json.WriteEndObject();
            return;
        }
        json.WriteNumber("train_rows", summary.TrainRows);
        json.WriteNumber("train_eegs", summary.TrainEegs);
        json.WriteNumber("train_spectrograms", summary.TrainSpectrograms);
        json.WriteNumber("test_rows", summary.TestRows);
        json.WriteNumber("best_achievable_train_kl", Math.Round(summary.BestAchievableTrainKl, 6));
        json.WriteNumber("class_prior_train_kl", Math.Round(summary.ClassPriorTrainKl, 6));
        json.WriteEndObject();
    }
}
