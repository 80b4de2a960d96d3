using System.CommandLine;
using Hbac.Eeg;
using Hbac.Eeg.Folds;
using Hbac.Eeg.Formats.Csv;
using Hbac.Eeg.Labels;
using Spectre.Console;

namespace Hbac.Cli.Commands;

/// <summary>
/// <c>hbac folds &lt;train.csv&gt; --out &lt;folds.csv&gt;</c>: StratifiedGroupKFold (grouped by patient,
/// stratified by consensus) written as a <c>fold</c> column added to every row; every other column is kept.
/// </summary>
internal static class FoldsCommand
{
    public const string FoldColumn = "fold";

    public static Command Create()
    {
        var input = new Argument<string>("train") { Description = "A Kaggle train.csv (extra columns are kept)" };
        var k = new Option<int>("--k") { Description = "Number of folds", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "Shuffle seed (same seed, same folds)", DefaultValueFactory = _ => 42 };
        var output = (new Option<string>("--out") { Description = "CSV to write: the input rows plus a 'fold' column", Required = true }).MustNotBeAFolder();
        var command = new Command("folds", "Split train.csv into k folds grouped by patient and stratified by expert consensus");
        command.Arguments.Add(input);
        command.Options.Add(k);
        command.Options.Add(seed);
        command.Options.Add(output);
        command.SetAction((parseResult, ct) => CliGuard.Run(() =>
        {
            var source = parseResult.GetValue(input)!;
            if (!File.Exists(source))
            {
                throw new FileNotFoundException("file not found", source);
            }
            var table = CsvTable.Read(source);
            var labels = TrainLabels.FromTable(table);
            if (labels.Count == 0)
            {
                throw EegDataException.InFile(source, "no rows to split");
            }
            int[] folds;
            try
            {
                folds = StratifiedGroupKFold.Assign(
                    [.. labels.Select(l => l.PatientId)], [.. labels.Select(l => l.ExpertConsensus)],
                    parseResult.GetValue(k), parseResult.GetValue(seed));
            }
            catch (EegDataException e)
            {
                // The splitter knows k and the groups, not the file: name it, as every input error does.
                throw EegDataException.InFile(source, e.Message, e);
            }
            Write(table, folds, parseResult.GetValue(output)!);
            PrintSummary(labels, folds, parseResult.GetValue(k));
            return 0;
        }));
        return command;
    }

    /// <summary>Writes the table with the fold column appended (or replaced when it already has one).</summary>
    private static void Write(CsvTable table, int[] folds, string path)
    {
        var existing = table.ColumnIndex(FoldColumn);
        var header = existing >= 0 ? table.Header : [.. table.Header, FoldColumn];
        var rows = table.Rows.Select((row, i) =>
        {
            var fields = existing >= 0 ? (string[])row.Fields.Clone() : [.. row.Fields, ""];
            fields[existing >= 0 ? existing : fields.Length - 1] = CsvWriter.Format(folds[i]);
            return (IReadOnlyList<string>)fields;
        });
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        CsvWriter.Write(path, header, rows);
    }

    private static void PrintSummary(IReadOnlyList<TrainLabel> labels, int[] folds, int k)
    {
        var table = new Table().AddColumn("fold").AddColumn("rows").AddColumn("patients");
        foreach (var name in EegClasses.Names)
        {
            table.AddColumn(name);
        }
        for (var f = 0; f < k; f++)
        {
            var rows = labels.Where((_, i) => folds[i] == f).ToList();
            var cells = new List<string> { f.ToString(), rows.Count.ToString(), rows.Select(r => r.PatientId).Distinct().Count().ToString() };
            for (var c = 0; c < EegClasses.Count; c++)
            {
                cells.Add(rows.Count(r => r.ExpertConsensus == c).ToString());
            }
            table.AddRow([.. cells]);
        }
        AnsiConsole.Write(table);
    }
}
