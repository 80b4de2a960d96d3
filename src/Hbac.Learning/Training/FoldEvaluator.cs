using Hbac.Eeg;
using Hbac.Eeg.Formats.Csv;
using Hbac.Eeg.Labels;
using Hbac.Eeg.Metrics;
using Hbac.Eeg.Synthetic;
using Hbac.Learning.Onnx;
using Hbac.Onnx;

namespace Hbac.Learning.Training;

/// <summary>An ONNX model's score on one fold's validation windows, with the two anchors that frame it.</summary>
/// <param name="ModelKl">Kaggle KL of the model's probabilities against the validation votes.</param>
/// <param name="ClassPriorKl">Kaggle KL of the training folds' mean vote distribution, predicted for every window.</param>
/// <param name="BestAchievableKl">Kaggle KL of the true distributions (truth.csv of synthetic data), or null without one.</param>
/// <param name="PerfectReaderKl">
/// Kaggle KL of <see cref="PerfectReader"/> (synthetic data): what the best reader of every pattern the generator
/// drew into the signal would score; null without truth.csv.
/// </param>
public sealed record FoldEvaluation(
    int Fold,
    int Windows,
    int Patients,
    double ModelKl,
    double ClassPriorKl,
    double? BestAchievableKl,
    ConfusionMatrix Confusion,
    double? PerfectReaderKl = null)
{
    /// <summary>Every validation window's votes, prediction and KL, in the fold's order (<c>hbac evaluate --rows</c>).</summary>
    public IReadOnlyList<FoldRow> Rows { get; init; } = [];

    /// <summary>
    /// Whether the probabilities mean what they say (<see cref="Eeg.Metrics.Calibration"/>): against each window's
    /// votes, or with <paramref name="againstTruth"/> against its true distribution (null without truth.csv).
    /// </summary>
    public Calibration? CalibrationOf(CalibrationKind kind, bool againstTruth = false)
    {
        if (Rows.Count == 0 || (againstTruth && Rows.Any(r => r.Truth is null)))
        {
            return null;
        }
        var predicted = Rows.SelectMany(r => r.Probabilities).ToArray();
        var observed = Rows.SelectMany(r => againstTruth ? r.Truth! : r.Votes.Select(v => (double)v)).ToArray();
        return Calibration.Of(kind, predicted, observed, Rows[0].Probabilities.Count);
    }

    /// <summary>
    /// How far the fold's KL could move with other patients (<see cref="GroupBootstrap"/> over the fold's patients, the
    /// unit the folds are split by); null with fewer than <see cref="MinPatientsForInterval"/> patients, where resampling says nothing.
    /// </summary>
    public BootstrapInterval? KlInterval() => IntervalOverPatients([.. Rows.Select(r => r.Kl)], [.. Rows.Select(r => r.PatientId)]);

    /// <summary>
    /// The model's KL minus the perfect reader's, with its interval from the same resamples of the same rows (paired:
    /// what the two share cancels); null without truth.csv or with too few patients.
    /// </summary>
    public BootstrapInterval? AboveReaderInterval() => Rows.All(r => r.PerfectReaderKl is not null)
        ? IntervalOverPatients([.. Rows.Select(r => r.Kl - r.PerfectReaderKl!.Value)], [.. Rows.Select(r => r.PatientId)])
        : null;

    /// <summary>Fewest patients whose resampling gives an interval worth printing (two give four resample kinds).</summary>
    public const int MinPatientsForInterval = 3;

    /// <summary>
    /// The 95% interval of the mean of <paramref name="values"/> (one per row) over the rows' patients
    /// (<see cref="GroupBootstrap"/>), or null with fewer than <see cref="MinPatientsForInterval"/> of them or no rows:
    /// the one rule for a fold's KL, a paired difference and a training run's card.
    /// </summary>
    public static BootstrapInterval? IntervalOverPatients(double[] values, long[] patients) =>
        patients.Distinct().Count() >= MinPatientsForInterval ? GroupBootstrap.MeanInterval(values, patients) : null;

    /// <summary>
    /// Each EEG's share of the fold's KL (its rows' KL terms divided by all the fold's rows, so the shares add up to
    /// <see cref="ModelKl"/>), and of the perfect reader's on synthetic data; largest excess over the reader first
    /// (largest share without truth). A few EEGs often make most of a fold's KL: every label of one EEG shares its truth.
    /// </summary>
    public IReadOnlyList<EegShare> ByEeg() => Rows
        .GroupBy(r => r.EegId)
        .Select(g => new EegShare(g.Key, g.Count(), g.Sum(r => r.ExpertVotes) / g.Count(), g.Sum(r => r.Kl) / Rows.Count,
            g.All(r => r.PerfectReaderKl is not null) ? g.Sum(r => r.PerfectReaderKl!.Value) / Rows.Count : null))
        .OrderByDescending(e => e.Kl - (e.PerfectReaderKl ?? 0))
        .ThenBy(e => e.EegId)
        .ToArray();
}

/// <summary>One EEG's part of a fold's KL (see <see cref="FoldEvaluation.ByEeg"/>).</summary>
public sealed record EegShare(long EegId, int Rows, double MeanVotes, double Kl, double? PerfectReaderKl);

/// <summary>
/// One validation window as <see cref="FoldEvaluator"/> scored it: <see cref="Kl"/> is its term of the Kaggle KL (the fold's
/// KL is their mean). On synthetic data also the true distribution and <see cref="PerfectReader"/>'s prediction and KL.
/// </summary>
public sealed record FoldRow(
    long LabelId,
    long EegId,
    long PatientId,
    double ExpertVotes,
    int Consensus,
    IReadOnlyList<float> Votes,
    IReadOnlyList<double> Probabilities,
    double Kl,
    IReadOnlyList<double>? Truth = null,
    IReadOnlyList<double>? PerfectReader = null,
    double? PerfectReaderKl = null);

/// <summary>Scores an ONNX classifier on a fold of a Kaggle-format folder, split exactly as training splits it.</summary>
public static class FoldEvaluator
{
    public const string TruthFile = "truth.csv";

    public static async Task<FoldEvaluation> EvaluateAsync(
        OnnxClassifier classifier,
        TrainingData data,
        int fold,
        int foldCount = 5,
        int foldSeed = 42,
        int batch = 16,
        IProgress<(int Done, int Total)>? progress = null,
        CancellationToken ct = default)
    {
        var split = FoldSplit.Create(data.Windows, fold, foldCount, foldSeed, data.LabelsPath);
        var probabilities = await PredictAsync(classifier, data.Source, split.Validation, batch, progress, ct).ConfigureAwait(false);
        return Score(data, split, fold, probabilities);
    }

    /// <summary>
    /// Scores <paramref name="probabilities"/> ([validation windows x 6], row-major, in the order of
    /// <paramref name="split"/>'s validation windows) as <see cref="EvaluateAsync"/> does; for callers that
    /// need the probabilities themselves too (comparing two models window by window).
    /// </summary>
    public static FoldEvaluation Score(TrainingData data, FoldSplit split, int fold, double[] probabilities)
    {
        var validation = split.Validation;
        if (probabilities.Length != validation.Count * EegClasses.Count)
        {
            throw new ArgumentException($"{probabilities.Length} probabilities for {validation.Count} validation windows", nameof(probabilities));
        }
        var votes = validation.SelectMany(w => w.Votes.Select(v => (double)v)).ToArray();
        var prior = split.TrainingPrior();
        var priorPredictions = Enumerable.Range(0, validation.Count).SelectMany(_ => prior).ToArray();
        var predicted = Enumerable.Range(0, validation.Count)
            .Select(i => ArgMax(probabilities.AsSpan(i * EegClasses.Count, EegClasses.Count))).ToArray();
        // truth.csv is read, and the perfect reader asked, once per row: the rows carry them and the anchors follow from them.
        var truthOf = TruthOf(data.Folder);
        var rows = validation.Select((w, i) =>
        {
            var p = probabilities.AsSpan(i * EegClasses.Count, EegClasses.Count);
            var target = votes.AsSpan(i * EegClasses.Count, EegClasses.Count);
            var row = new FoldRow(w.LabelId, w.EegId, w.PatientId, w.ExpertVotes, w.Consensus, w.Votes, p.ToArray(), KaggleKl.RowDivergence(target, p));
            if (truthOf?.Invoke(w) is { } t)
            {
                var reader = PerfectReader.Default.Predict(t);
                row = row with { Truth = t, PerfectReader = reader, PerfectReaderKl = KaggleKl.RowDivergence(target, reader) };
            }
            return row;
        }).ToArray();
        var anchors = truthOf is null ? ((double BestAchievableKl, double PerfectReaderKl)?)null
            : (KaggleKl.Score(votes, rows.SelectMany(r => r.Truth!).ToArray(), EegClasses.Count),
                KaggleKl.Score(votes, rows.SelectMany(r => r.PerfectReader!).ToArray(), EegClasses.Count));
        return new FoldEvaluation(
            fold,
            validation.Count,
            validation.Select(w => w.PatientId).Distinct().Count(),
            KaggleKl.Score(votes, probabilities, EegClasses.Count),
            KaggleKl.Score(votes, priorPredictions, EegClasses.Count),
            anchors?.BestAchievableKl,
            ConfusionMatrix.From(EegClasses.Names, validation.Select(w => w.Consensus).ToArray(), predicted),
            anchors?.PerfectReaderKl)
        {
            Rows = rows,
        };
    }

    /// <summary>
    /// On synthetic data (a truth.csv in <paramref name="folder"/>): the Kaggle KL of <paramref name="rows"/>' true
    /// distributions and of <see cref="PerfectReader"/>'s predictions for them; null without truth.csv.
    /// </summary>
    public static (double BestAchievableKl, double PerfectReaderKl)? TruthAnchors(string folder, IReadOnlyList<TrainingWindow> rows)
    {
        if (TruthOf(folder) is not { } truthOf)
        {
            return null;
        }
        var votes = rows.SelectMany(w => w.Votes.Select(v => (double)v)).ToArray();
        var truths = rows.Select(truthOf).ToArray();
        var reader = PerfectReader.Default;
        return (KaggleKl.Score(votes, truths.SelectMany(t => t).ToArray(), EegClasses.Count),
            KaggleKl.Score(votes, truths.SelectMany(reader.Predict).ToArray(), EegClasses.Count));
    }

    /// <summary>A window's true distribution from <paramref name="folder"/>'s truth.csv (naming a label it lacks); null without one.</summary>
    private static Func<TrainingWindow, double[]>? TruthOf(string folder)
    {
        var truthPath = Path.Combine(folder, TruthFile);
        if (!File.Exists(truthPath))
        {
            return null;
        }
        var truth = ReadTruth(truthPath);
        return w => truth.TryGetValue(w.LabelId, out var t)
            ? t
            : throw EegDataException.InFile(truthPath, $"no row for label_id {w.LabelId}");
    }

    /// <summary>
    /// The classifier's probabilities for <paramref name="windows"/>, read from <paramref name="source"/> at
    /// each window's input id and offset, in batches: [windows.Count x 6], row-major.
    /// </summary>
    public static async Task<double[]> PredictAsync(
        OnnxClassifier classifier,
        ITrainingWindowSource source,
        IReadOnlyList<TrainingWindow> windows,
        int batch = 16,
        IProgress<(int Done, int Total)>? progress = null,
        CancellationToken ct = default)
    {
        var probabilities = new double[windows.Count * EegClasses.Count];
        var inputs = new float[batch * Trainer.InputSize];
        for (var start = 0; start < windows.Count; start += batch)
        {
            var count = Math.Min(batch, windows.Count - start);
            await source.ReadWindowsAsync(windows, start, count, inputs, ct).ConfigureAwait(false);
            var output = classifier.Predict(inputs.AsSpan(0, count * Trainer.InputSize), count);
            for (var i = 0; i < count; i++)
            {
                for (var c = 0; c < EegClasses.Count; c++)
                {
                    probabilities[(start + i) * EegClasses.Count + c] = output[i][c];
                }
            }
            progress?.Report((start + count, windows.Count));
        }
        return probabilities;
    }

    /// <summary>truth.csv of a synthetic folder: label_id -> the true class distribution its votes were drawn from.</summary>
    public static IReadOnlyDictionary<long, double[]> ReadTruth(string path)
    {
        var table = CsvTable.Read(path);
        var labelId = table.RequireColumn("label_id");
        var columns = EegClasses.VoteColumns.Select(table.RequireColumn).ToArray();
        var truth = new Dictionary<long, double[]>(table.Rows.Count);
        foreach (var row in table.Rows)
        {
            truth[table.Int64(row, labelId)] = columns.Select(c => table.Double(row, c)).ToArray();
        }
        return truth;
    }

    private static int ArgMax(ReadOnlySpan<double> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }
        return best;
    }
}
