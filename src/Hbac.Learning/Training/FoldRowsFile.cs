using Hbac.Eeg.Formats.Csv;
using Hbac.Eeg.Labels;

namespace Hbac.Learning.Training;

/// <summary>
/// <c>hbac evaluate --rows</c>: one CSV line per validation window (ids, vote count, consensus, votes, the model's
/// probabilities and KL term; on synthetic data the truth and the perfect reader's), for finding which windows a
/// model's KL comes from. pandas reads it as it is.
/// </summary>
public static class FoldRowsFile
{
    public static IReadOnlyList<string> Header { get; } =
    [
        "label_id", "eeg_id", "patient_id", "expert_votes", "expert_consensus",
        .. EegClasses.VoteColumns,
        .. EegClasses.Names.Select(n => $"p_{n}"),
        "kl",
        .. EegClasses.Names.Select(n => $"truth_{n}"),
        .. EegClasses.Names.Select(n => $"reader_{n}"),
        "reader_kl",
    ];

    public static void Write(string path, IEnumerable<FoldRow> rows) => CsvWriter.Write(path, Header, rows.Select(Fields));

    private static IReadOnlyList<string> Fields(FoldRow row)
    {
        static IEnumerable<string> Optional(IReadOnlyList<double>? values) =>
            values?.Select(CsvWriter.Format) ?? Enumerable.Repeat("", EegClasses.Count);
        return
        [
            CsvWriter.Format(row.LabelId), CsvWriter.Format(row.EegId), CsvWriter.Format(row.PatientId), CsvWriter.Format(row.ExpertVotes),
            EegClasses.Names[row.Consensus],
            .. row.Votes.Select(v => CsvWriter.Format(v)),
            .. row.Probabilities.Select(CsvWriter.Format),
            CsvWriter.Format(row.Kl),
            .. Optional(row.Truth),
            .. Optional(row.PerfectReader),
            row.PerfectReaderKl is { } kl ? CsvWriter.Format(kl) : "",
        ];
    }
}
