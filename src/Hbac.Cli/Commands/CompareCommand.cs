using System.CommandLine;
using System.Globalization;
using Hbac.Learning.Training;
using Spectre.Console;

namespace Hbac.Cli.Commands;

/// <summary><c>hbac compare</c>: two run folders' curves side by side, and a table of their numbers.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var first = new Argument<string>("run") { Description = "First run folder (with card.json)" };
        var second = new Argument<string>("other") { Description = "Second run folder" };
        var output = (new Option<string>("--out") { Description = "PNG to write (both runs' loss curves side by side)", Required = true }).MustNotBeAFolder();
        var command = new Command("compare", "Compare two training runs: loss curves side by side and a table.");
        command.Arguments.Add(first);
        command.Arguments.Add(second);
        command.Options.Add(output);
        command.SetAction((parseResult, ct) => CliGuard.Run(() =>
        {
            var folders = new[] { parseResult.GetValue(first)!, parseResult.GetValue(second)! };
            var cards = folders.Select(f => ModelCard.Load(Path.Combine(f, RunFolderLayout.Card))).ToArray();
            var titles = cards.Select((c, i) => $"{c.Model} ({Path.GetFileName(Path.GetFullPath(folders[i]).TrimEnd('/'))})").ToArray();
            TrainingPlots.DrawCurves(parseResult.GetValue(output)!, cards.Select((c, i) => (titles[i], c.Epochs)).ToArray());

            var table = new Table().AddColumn("").AddColumn(titles[0]).AddColumn(titles[1]);
            void Row(string name, Func<ModelCard, string> value) => table.AddRow(name, value(cards[0]), value(cards[1]));
            static string F(double v, string format = "F4") => v.ToString(format, CultureInfo.InvariantCulture);
            Row("profile", c => c.Profile);
            Row("labels", c => c.HyperParameters.Labels.Name());
            Row("trainable parameters", c => c.TrainableParameters.ToString("N0", CultureInfo.InvariantCulture));
            Row("epochs", c => c.Epochs.Count.ToString(CultureInfo.InvariantCulture));
            Row("best epoch", c => (c.BestEpoch + 1).ToString(CultureInfo.InvariantCulture));
            Row("best validation loss", c => F(c.BestValidationLoss));
            Row("validation Kaggle KL", c => F(c.BestValidationKaggleKl));
            // How far each run's KL could move with other patients (none in older cards or folds of < 3 patients); for two models on one
            // fold, `hbac evaluate --model A --baseline B` gives the paired difference, which cancels what the patients share.
            Row("KL 95% CI (patients)", c => c.ValidationKlInterval is { } i ? $"{F(i.Low)}-{F(i.High)} ({i.Groups})" : "-");
            Row("class-prior KL", c => F(c.ClassPriorValidationKaggleKl));
            Row("validation accuracy", c => F(c.Confusion.Accuracy, "P1"));
            // Cards written before calibration was recorded have none.
            Row("classwise ECE (votes)", c => c.Calibration is { } k ? F(k.Classwise.ExpectedError) : "-");
            Row("top-label ECE (votes)", c => c.Calibration is { } k ? F(k.TopLabel.ExpectedError) : "-");
            Row("images/s (last epoch)", c => F(c.Epochs[^1].ImagesPerSecond, "F1"));
            Row("wall time (s)", c => F(c.WallTimeSeconds, "F0"));
            Row("data fingerprint", c => c.Data.Fingerprint[..12]);
            var console = TrainingConsole.On(Console.Out);
            console.Write(table);
            if (cards[0].Data.Fingerprint != cards[1].Data.Fingerprint)
            {
                console.WriteLine("note: the runs saw different data (fingerprints differ)");
            }
            return 0;
        }));
        return command;
    }
}
