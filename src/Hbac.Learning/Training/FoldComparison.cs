using Hbac.Eeg.Metrics;

namespace Hbac.Learning.Training;

/// <summary>
/// Two models' KL on the same validation rows, set against each other row by row: the difference of their fold KLs
/// and how far it could move with other patients, from one bootstrap over the rows both scored (paired, so the rows
/// both find hard cancel). The models may read different inputs (an EEG-window and a spectrogram model): rows are
/// matched by <c>label_id</c>.
/// </summary>
/// <param name="Rows">Validation rows both evaluations hold.</param>
/// <param name="ModelKl">The model's KL over those rows.</param>
/// <param name="BaselineKl">The baseline's KL over those rows.</param>
/// <param name="Difference">Model minus baseline (below 0: the model is better), with its interval; null with too few patients.</param>
public sealed record FoldComparison(int Rows, double ModelKl, double BaselineKl, BootstrapInterval? Difference)
{
    public double KlDifference => ModelKl - BaselineKl;

    public static FoldComparison Of(FoldEvaluation model, FoldEvaluation baseline)
    {
        if (model.Fold != baseline.Fold)
        {
            throw new ArgumentException($"the model was evaluated on fold {model.Fold} and the baseline on fold {baseline.Fold}");
        }
        var baselineRows = baseline.Rows.ToDictionary(r => r.LabelId);
        var pairs = model.Rows.Where(r => baselineRows.ContainsKey(r.LabelId)).Select(r => (Model: r, Baseline: baselineRows[r.LabelId])).ToList();
        if (pairs.Count == 0)
        {
            throw new ArgumentException($"the model's {model.Rows.Count} and the baseline's {baseline.Rows.Count} validation rows share no label_id: not the same data");
        }
        double[] differences = [.. pairs.Select(p => p.Model.Kl - p.Baseline.Kl)];
        long[] patients = [.. pairs.Select(p => p.Model.PatientId)];
        return new FoldComparison(pairs.Count, pairs.Average(p => p.Model.Kl), pairs.Average(p => p.Baseline.Kl),
            FoldEvaluation.IntervalOverPatients(differences, patients));
    }
}
