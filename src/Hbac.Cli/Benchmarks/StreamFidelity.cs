using System.Globalization;
using System.Text;
using Hbac.Contracts;
using Hbac.Eeg.Labels;
using Hbac.Eeg.Metrics;

namespace Hbac.Cli.Benchmarks;

/// <summary>One labelled row as the stream benchmark matches it: its 10 s in seconds since the recording started.</summary>
internal sealed record LabelledSegment(long LabelId, long EegId, double SegmentStartSeconds);

/// <summary>One StreamEeg reply reduced to what the matching needs.</summary>
internal sealed record StreamedSegment(double SegmentStartSeconds, float[] Probabilities, string ModelVersion);

/// <summary>
/// Matches streamed replies to labelled rows: a row's labelled 10 s start at <c>eeg_label_offset_seconds + 20</c>
/// (the centre of the 50-s window at that offset), and the reply that describes them is the one whose
/// segment starts there. Replies come every 2 s, so a row whose offset is not on that grid has no reply
/// describing exactly its 10 s; it is counted as unmatched rather than scored against a neighbour.
/// </summary>
internal static class StreamFidelity
{
    /// <summary>Seconds from a window's start to its scored segment's start: (50 - 10) / 2.</summary>
    public const double SegmentStartAfterWindowStart = (EegStream.ScoredWindowSeconds - EegStream.SegmentSeconds) / 2.0;

    /// <summary>For each row, the reply describing its 10 s, or null when no reply does.</summary>
    public static IReadOnlyList<StreamedSegment?> Match(IReadOnlyList<LabelledSegment> rows, IReadOnlyDictionary<long, IReadOnlyList<StreamedSegment>> repliesByEeg)
    {
        var matched = new StreamedSegment?[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            if (!repliesByEeg.TryGetValue(rows[i].EegId, out var replies))
            {
                continue;
            }
            foreach (var reply in replies)
            {
                if (Math.Abs(reply.SegmentStartSeconds - rows[i].SegmentStartSeconds) < 1e-6)
                {
                    matched[i] = reply;
                    break;
                }
            }
        }
        return matched;
    }
}

/// <summary>One line of the stream-fidelity table.</summary>
internal sealed record StreamFidelityRow(string What, string Version, int Rows, double? Kl, string? Note = null)
{
    /// <summary>Expected calibration errors against the votes (classwise, top label); null where the line has no probabilities.</summary>
    public (double Classwise, double TopLabel)? Ece { get; init; }

    /// <summary>
    /// The line's calibration: whether the probabilities it scored mean what they say, the question KL alone does not
    /// answer for a stream (a reply can match the offline score on average and still be over- or underconfident).
    /// </summary>
    public static (double Classwise, double TopLabel) EceOf(IReadOnlyList<double[]> votes, double[] probabilities)
    {
        var observed = votes.SelectMany(v => v).ToArray();
        return (Calibration.Of(CalibrationKind.Classwise, probabilities, observed, EegClasses.Count).ExpectedError,
            Calibration.Of(CalibrationKind.TopLabel, probabilities, observed, EegClasses.Count).ExpectedError);
    }
}

/// <summary>The table <c>hbac bench stream</c> prints.</summary>
internal sealed record StreamFidelityReport(string Title, IReadOnlyList<StreamFidelityRow> Rows, double? StreamedOverOffline, string Details)
{
    /// <summary>The target of the streaming issue: streamed KL within 5 % of the same model's offline KL on the same rows.</summary>
    public const double Tolerance = 0.05;

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"| {Title} | model version | rows | Kaggle KL | ECE: classwise / top label |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var row in Rows)
        {
            var kl = row.Kl is { } value ? value.ToString("0.0000", CultureInfo.InvariantCulture) : "-";
            var note = row.Note is null ? "" : $" ({row.Note})";
            var ece = row.Ece is var (classwise, top) ? string.Create(CultureInfo.InvariantCulture, $"{classwise:0.0000} / {top:0.0000}") : "-";
            text.AppendLine(CultureInfo.InvariantCulture, $"| {row.What}{note} | {(row.Version.Length == 0 ? "-" : row.Version)} | {row.Rows} | {kl} | {ece} |");
        }
        if (StreamedOverOffline is { } ratio)
        {
            var verdict = Math.Abs(ratio - 1) <= Tolerance ? "within" : "NOT within";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| streamed / offline KL of the EEG-window model: {ratio:0.0000} ({verdict} {Tolerance:P0}) | | | | |");
        }
        text.AppendLine();
        text.AppendLine(Details);
        return text.ToString();
    }
}
