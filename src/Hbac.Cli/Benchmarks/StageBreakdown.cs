using System.Globalization;
using System.Text;
using Hbac.Contracts.V1;

namespace Hbac.Cli.Benchmarks;

/// <summary>
/// One stage of the service's per-window path: wall and (thread) CPU milliseconds per window, and the CPU per
/// window over the whole level when the row itself covers only its steady state.
/// </summary>
internal sealed record StageRow(string Stage, long Windows, double WallMsPerWindow, double? CpuMsPerWindow, double? WholeLevelCpuMsPerWindow = null);

/// <summary>
/// Where a stream window's time went inside the service during one load level (GetServingProfile's sums
/// for the EEG-window model), with the service's whole CPU per reply beside it. Pure formatting.
/// A stream takes in 50 s of signal (filters, FFT frames) before its first window, once; a level of 69 s spreads
/// that over its ten windows per stream, three times what a window costs a stream that has been running.
/// So the rows are the steady state (<see cref="SteadyState"/>: from the moment every stream had its first reply)
/// where it was measured, with the whole level's CPU beside them.
/// </summary>
internal sealed record StageBreakdown(int Streams, IReadOnlyList<StageRow> Rows, double? ServiceCpuMsPerWindow,
    bool SteadyState = false, double? WholeLevelServiceCpuMsPerWindow = null)
{
    /// <summary>The services whose profiles the rows sum: 1, or each replica behind a proxy.</summary>
    public int Services { get; init; } = 1;

    /// <summary>The issue's budget for everything a window costs outside ONNX Runtime.</summary>
    public const double TargetOutsideMs = 2.0;

    private const string WindowStage = "window";

    private static readonly string[] OutsideStages = ["receive", WindowStage, "batch_copy", "reply"];

    /// <summary>The breakdown of a whole level's sums.</summary>
    public static StageBreakdown From(int streams, ServingProfile profile, double? serviceCpuMsPerWindow) =>
        new(streams, [.. EegStages(profile).Select(WholeRow)], serviceCpuMsPerWindow);

    private static StageRow WholeRow(StageCost s) => new(s.Stage, s.Windows, s.WallMs / s.Windows, CpuPerWindow(s));

    /// <summary>
    /// The steady state's breakdown (<paramref name="steady"/>: the sums since every stream's first reply) with the
    /// whole level's CPU per window beside it (<paramref name="warmUp"/>: the sums before that). A window formed after
    /// every stream's first reply is a later one; a level too short for any (its streams reply once) has no steady
    /// state, only the first replies' stragglers (a reply stage the service recorded after its client had the reply),
    /// so its breakdown is the whole level's.
    /// </summary>
    public static StageBreakdown From(int streams, ServingProfile warmUp, ServingProfile steady, double? steadyServiceCpuMsPerWindow, double? wholeServiceCpuMsPerWindow)
    {
        // Each stage's sums over the whole level, in the order a window passes them.
        var whole = EegStages(warmUp).Concat(EegStages(steady)).GroupBy(s => s.Stage).Select(stage => stage.Aggregate(ServingProfileReader.Add)).ToList();
        if (!EegStages(steady).Any(s => s.Stage == WindowStage))
        {
            return new(streams, [.. whole.Select(WholeRow)], wholeServiceCpuMsPerWindow);
        }
        var wholeByStage = whole.ToDictionary(s => s.Stage);
        var rows = EegStages(steady).Select(s => WholeRow(s) with { WholeLevelCpuMsPerWindow = CpuPerWindow(wholeByStage[s.Stage]) });
        return new StageBreakdown(streams, [.. rows], steadyServiceCpuMsPerWindow, SteadyState: true, wholeServiceCpuMsPerWindow);
    }

    private static IEnumerable<StageCost> EegStages(ServingProfile profile) =>
        profile.Stages.Where(s => s.InputKind == ModelInputKind.Eeg && s.Windows > 0);

    private static double? CpuPerWindow(StageCost s) => s.CpuWindows > 0 ? s.CpuMs / s.CpuWindows : null;

    /// <summary>CPU per window of the stages outside the model, or null when a stage's CPU could not be read.</summary>
    public double? OutsideCpuMs => OutsideSum(r => r.CpuMsPerWindow);

    /// <summary>As <see cref="OutsideCpuMs"/> over the whole level, each stream's first 50 s included; null without a steady state.</summary>
    public double? WholeLevelOutsideCpuMs => SteadyState ? OutsideSum(r => r.WholeLevelCpuMsPerWindow) : null;

    private double? OutsideSum(Func<StageRow, double?> cpu)
    {
        var outside = Rows.Where(r => OutsideStages.Contains(r.Stage)).ToList();
        return outside.Count > 0 && outside.All(r => cpu(r) is not null) ? outside.Sum(r => cpu(r)!.Value) : null;
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine($"Where a stream window's time goes inside the service (EEG-window model, the {Streams}-stream level; {(Services == 1 ? "the service's GetServingProfile" : $"the {Services} replicas' GetServingProfile, summed")})" + (SteadyState
            ? ", in the steady state: from the moment every stream had its first reply to the level's end. " +
              $"The last column is the whole level's, which adds each stream's first {Hbac.Contracts.EegStream.ScoredWindowSeconds} s of signal, taken in once before its first window:"
            : ":"));
        text.AppendLine();
        text.AppendLine("| stage | windows | wall ms per window | CPU ms per window (its thread) |" + (SteadyState ? " CPU ms per window, whole level |" : ""));
        text.AppendLine("|---|---:|---:|---:|" + (SteadyState ? "---:|" : ""));
        // The whole level's column, in the steady state's table only.
        string Whole(double? ms) => SteadyState ? $" {Ms(ms)} |" : "";
        foreach (var row in Rows)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Stage} | {row.Windows} | {row.WallMsPerWindow:0.000} | {Ms(row.CpuMsPerWindow)} |{Whole(row.WholeLevelCpuMsPerWindow)}"));
        }
        if (OutsideCpuMs is { } outside)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| **outside the model** ({string.Join(" + ", OutsideStages)}) | | | **{outside:0.000}** ({(outside < TargetOutsideMs ? "met" : "NOT met")}: < {TargetOutsideMs:0} ms) |{Whole(WholeLevelOutsideCpuMs)}"));
        }
        if (ServiceCpuMsPerWindow is { } total)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| the service's whole CPU per reply (all threads: the stages, ONNX Runtime, gRPC and HTTP/2, protobuf, GC) | | | {total:0.000} |{Whole(WholeLevelServiceCpuMsPerWindow)}"));
        }
        return text.ToString();
    }

    private static string Ms(double? value) => value is { } ms ? ms.ToString("0.000", CultureInfo.InvariantCulture) : "-";
}
