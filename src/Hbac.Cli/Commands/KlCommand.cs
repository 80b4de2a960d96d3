using System.CommandLine;
using System.Globalization;
using Hbac.Eeg;
using Hbac.Eeg.Labels;
using Hbac.Eeg.Metrics;

namespace Hbac.Cli.Commands;

/// <summary>
/// <c>hbac kl &lt;solution.csv&gt; &lt;submission.csv&gt;</c>: the competition score. The solution's six
/// vote columns are normalised per row (raw counts or probabilities both work); the submission is taken
/// as it is, clipped like Kaggle does. Rows are matched by <c>eeg_id</c>.
/// </summary>
internal static class KlCommand
{
    public static Command Create()
    {
        var solution = new Argument<string>("solution") { Description = "CSV with eeg_id and the six *_vote columns (train.csv-style counts or probabilities)" };
        var submission = new Argument<string>("submission") { Description = "CSV with eeg_id and six *_vote probabilities (Kaggle submission format)" };
        var command = new Command("kl", "Print the Kaggle KL-divergence score of a submission against a solution (lower is better)");
        command.Arguments.Add(solution);
        command.Arguments.Add(submission);
        command.SetAction((parseResult, ct) => CliGuard.Run(() =>
        {
            var solutionPath = parseResult.GetValue(solution)!;
            var submissionPath = parseResult.GetValue(submission)!;
            var (score, rows) = Score(RequireFile(solutionPath), RequireFile(submissionPath));
            Console.WriteLine(score.ToString("0.######", CultureInfo.InvariantCulture));
            Console.Error.WriteLine($"{Counted.Of(rows, "row")} scored");
            return 0;
        }));
        return command;
    }

    internal static (double Score, int Rows) Score(string solutionPath, string submissionPath)
    {
        var truth = VoteTable.Read(solutionPath, normalise: true);
        var predicted = VoteTable.Read(submissionPath, normalise: false);
        var byEeg = new Dictionary<long, double[]>(predicted.Count);
        for (var i = 0; i < predicted.Count; i++)
        {
            var row = predicted[i];
            if (!byEeg.TryAdd(row.EegId, row.Values))
            {
                throw EegDataException.InFile(submissionPath, $"eeg_id {row.EegId} appears more than once");
            }
            RequireDistribution(row, i + 1, submissionPath);
        }
        if (truth.Count == 0)
        {
            throw EegDataException.InFile(solutionPath, "no rows to score");
        }
        var submitted = new double[truth.Count][];
        for (var i = 0; i < truth.Count; i++)
        {
            submitted[i] = byEeg.TryGetValue(truth[i].EegId, out var values)
                ? values
                : throw EegDataException.InFile(submissionPath, $"no row for eeg_id {truth[i].EegId} of the solution");
        }
        var solutionIds = truth.Select(r => r.EegId).ToHashSet();
        var extra = predicted.Count(r => !solutionIds.Contains(r.EegId));
        if (extra > 0)
        {
            Console.Error.WriteLine($"hbac: {submissionPath}: {Counted.Of(extra, "row")} with an eeg_id the solution lacks: not scored");
        }
        return (KaggleKl.Score([.. truth.Select(r => r.Values)], submitted), truth.Count);
    }

    /// <summary>How far a submission row's sum may be from 1 (six values printed to 6 decimals stay well inside).</summary>
    public const double SumTolerance = 1e-3;

    /// <summary>
    /// A submission row must be a probability distribution: KL against anything else is not the score
    /// (rows summing to 30 give a negative "divergence").
    /// </summary>
    private static void RequireDistribution(VoteRow row, int rowNumber, string path)
    {
        var sum = 0.0;
        for (var c = 0; c < row.Values.Length; c++)
        {
            var v = row.Values[c];
            if (!double.IsFinite(v) || v < 0 || v > 1)
            {
                throw EegDataException.InFile(path,
                    string.Create(CultureInfo.InvariantCulture, $"row {rowNumber} (eeg_id {row.EegId}): {EegClasses.VoteColumns[c]} is {v}, not a probability in [0, 1]"));
            }
            sum += v;
        }
        if (Math.Abs(sum - 1) > SumTolerance)
        {
            throw EegDataException.InFile(path,
                string.Create(CultureInfo.InvariantCulture, $"row {rowNumber} (eeg_id {row.EegId}): the six probabilities sum to {sum:0.######}, not 1 (within {SumTolerance})"));
        }
    }

    private static string RequireFile(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException("file not found", path);
}
