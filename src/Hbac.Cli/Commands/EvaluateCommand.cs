using System.CommandLine;
using System.Globalization;
using Hbac.Cli.Reports;
using Hbac.Eeg.Metrics;
using Hbac.Learning.Onnx;
using Hbac.Learning.Training;
using Hbac.Onnx;
using Spectre.Console;

namespace Hbac.Cli.Commands;

/// <summary><c>hbac evaluate</c>: Kaggle KL of an ONNX model on one fold's validation windows, next to its anchors.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "ONNX classifier (model.onnx of a run folder, or any [N,3,400,300] -> [N,6] model)", Required = true };
        var data = new Option<string>("--data") { Description = "Kaggle-format folder (train.csv, train_spectrograms/; truth.csv when synthetic)", Required = true };
        var fold = new Option<int>("--fold") { Description = "Validation fold of StratifiedGroupKFold(5, seed 42), as training splits it", DefaultValueFactory = _ => 0 };
        var spectrograms = new Option<string?>("--spectrograms") { Description = "Folder of <id>.parquet or <id>.npy (default <data>/train_spectrograms)" };
        var baseline = new Option<string?>("--baseline")
        {
            Description = "Another ONNX model (either input kind) evaluated on the same fold: prints model minus baseline KL on the rows both score, with a paired 95% interval over the fold's patients",
        };
        var rows = (new Option<string?>("--rows") { Description = "Also write one CSV line per validation window: votes, probabilities, its KL term (and on synthetic data the truth and the perfect reader's)" }).MustNotBeAFolder();
        var command = new Command("evaluate", "Score a model on a fold: Kaggle KL vs the class-prior baseline and (synthetic data) the best achievable.");
        command.Options.Add(model);
        command.Options.Add(data);
        command.Options.Add(fold);
        command.Options.Add(spectrograms);
        command.Options.Add(rows);
        command.Options.Add(baseline);
        command.SetAction((parseResult, ct) => CliGuard.RunAsync(async () =>
        {
            using var classifier = OnnxClassifier.Open(parseResult.GetValue(model)!);
            // The model says what it reads (hbac.input in its metadata); the data is opened for that kind.
            var kind = classifier.InputKind();
            var trainingData = KaggleTrainingData.Open(parseResult.GetValue(data)!, parseResult.GetValue(spectrograms), kind);
            var foldIndex = parseResult.GetValue(fold);
            if (foldIndex is < 0 or >= 5)
            {
                throw new CliUsageException($"--fold: must be in 0..4 (got {foldIndex})");
            }
            var baselinePath = parseResult.GetValue(baseline);
            using var baselineClassifier = baselinePath is null ? null : OnnxClassifier.Open(baselinePath);
            var baselineKind = baselineClassifier?.InputKind();
            var baselineData = baselineKind is not { } other ? null
                : other == kind ? trainingData
                : KaggleTrainingData.Open(parseResult.GetValue(data)!, parseResult.GetValue(spectrograms), other);
            FoldEvaluation? result = null;
            FoldEvaluation? baselineResult = null;
            await TrainingConsole.On(Console.Error).Progress().AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    SynchronousProgress<(int Done, int Total)> Bar(string description)
                    {
                        var bar = context.AddTask(description);
                        return new(p =>
                        {
                            bar.MaxValue = p.Total;
                            bar.Value = p.Done;
                        });
                    }
                    result = await FoldEvaluator.EvaluateAsync(classifier, trainingData, foldIndex, progress: Bar($"fold {foldIndex} validation"), ct: ct);
                    if (baselineClassifier is not null)
                    {
                        baselineResult = await FoldEvaluator.EvaluateAsync(baselineClassifier, baselineData!, foldIndex,
                            progress: Bar($"fold {foldIndex} validation, baseline"), ct: ct);
                    }
                });
            var r = result!;
            static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
            Console.WriteLine($"fold {r.Fold}: {r.Windows} validation windows, {r.Patients} patients ({classifier.ExecutionProvider})");
            Console.WriteLine($"model KL            {F(r.ModelKl)}  ({(r.KlInterval() is { } interval ? IntervalText.Describe(interval, F) : IntervalText.NoInterval(r.Patients))})");
            Console.WriteLine($"class-prior KL      {F(r.ClassPriorKl)}");
            Console.WriteLine(r.BestAchievableKl is { } best ? $"best achievable KL  {F(best)}" : "best achievable KL  n/a (no truth.csv)");
            if (r.PerfectReaderKl is { } reader)
            {
                // The truth also holds shares the signal never shows; this is what reading the signal perfectly scores.
                Console.WriteLine($"perfect-reader KL   {F(reader)}  (every pattern drawn into the signal read exactly; see PerfectReader)");
                if (r.AboveReaderInterval() is { } above)
                {
                    Console.WriteLine($"model - reader      {IntervalText.Signed(above.Estimate)}  ({IntervalText.DescribePaired(above)})");
                }
            }
            Console.WriteLine($"accuracy            {r.Confusion.Accuracy.ToString("P1", CultureInfo.InvariantCulture)}");
            if (baselineResult is not null)
            {
                var comparison = FoldComparison.Of(r, baselineResult);
                // Over the rows both scored: all of them when both models read the same data.
                Console.WriteLine($"baseline KL         {F(comparison.BaselineKl)}  ({baselinePath}, {baselineKind!.Value.Name()} model; {comparison.Rows} of the model's {r.Windows} rows scored by both)");
                Console.WriteLine($"model - baseline    {IntervalText.Signed(comparison.KlDifference)}  ("
                    + (comparison.Difference is { } difference ? IntervalText.DescribePaired(difference) : IntervalText.NoInterval(r.Patients)) + ")");
            }
            Console.WriteLine();
            foreach (var line in CalibrationTable.Lines(r.CalibrationOf(CalibrationKind.Classwise)!, r.CalibrationOf(CalibrationKind.TopLabel)!,
                r.CalibrationOf(CalibrationKind.Classwise, againstTruth: true), r.CalibrationOf(CalibrationKind.TopLabel, againstTruth: true)))
            {
                Console.WriteLine(line);
            }
            var shares = r.ByEeg();
            var truth = shares.All(e => e.PerfectReaderKl is not null);
            Console.WriteLine();
            Console.WriteLine(truth
                ? $"where the KL comes from: the {Math.Min(5, shares.Count)} of {shares.Count} EEGs furthest above the perfect reader (each EEG's rows' KL terms / {r.Windows}; all EEGs add up to the KLs above)"
                : $"where the KL comes from: the {Math.Min(5, shares.Count)} of {shares.Count} EEGs with the largest share (each EEG's rows' KL terms / {r.Windows}; all EEGs add up to the model KL)");
            Console.WriteLine(truth ? "  eeg_id        rows  votes   model  reader   above" : "  eeg_id        rows  votes   model");
            foreach (var e in shares.Take(5))
            {
                var line = string.Create(CultureInfo.InvariantCulture, $"  {e.EegId,-12} {e.Rows,5} {e.MeanVotes,6:F1}  {e.Kl,6:F4}");
                Console.WriteLine(e.PerfectReaderKl is { } readerShare
                    ? line + string.Create(CultureInfo.InvariantCulture, $"  {readerShare,6:F4}  {e.Kl - readerShare,7:+0.0000;-0.0000}")
                    : line);
            }
            if (parseResult.GetValue(rows) is { } rowsPath)
            {
                FoldRowsFile.Write(rowsPath, r.Rows);
                Console.WriteLine($"wrote {Counted.Of(r.Rows.Count, "row")} to {rowsPath}");
            }
            return 0;
        }));
        return command;
    }
}
