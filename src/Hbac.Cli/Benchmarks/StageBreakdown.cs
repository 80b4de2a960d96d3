using System.Globalization;
using System.Text;
using Hbac.Contracts.V1;

namespace Hbac.Cli.Benchmarks;

/// <summary>One stage of the service's per-window path: wall and (thread) CPU milliseconds per window.</summary>
internal sealed record StageRow(string Stage, long Windows, double WallMsPerWindow, double? CpuMsPerWindow);

/// <summary>
/// Where a stream window's time went inside the service during one load level (GetServingProfile's sums
/// for the EEG-window model), with the service's whole CPU per reply beside it. Pure formatting.
/// </summary>
internal sealed record StageBreakdown(int Streams, IReadOnlyList<StageRow> Rows, double? ServiceCpuMsPerWindow)
{
    /// <summary>The issue's budget for everything a window costs outside ONNX Runtime.</summary>
    public const double TargetOutsideMs = 2.0;

    private static readonly string[] OutsideStages = ["receive", "window", "batch_copy", "reply"];

    public static StageBreakdown From(int streams, ServingProfile profile, double? serviceCpuMsPerWindow)
    {
        var rows = profile.Stages
            .Where(s => s.InputKind == ModelInputKind.Eeg && s.Windows > 0)
            .Select(s => new StageRow(s.Stage, s.Windows, s.WallMs / s.Windows, s.CpuWindows > 0 ? s.CpuMs / s.CpuWindows : null))
            .ToList();
        return new StageBreakdown(streams, rows, serviceCpuMsPerWindow);
    }

    /// <summary>CPU per window of the stages outside the model, or null when a stage's CPU could not be read.</summary>
    public double? OutsideCpuMs
    {
        get
        {
            var outside = Rows.Where(r => OutsideStages.Contains(r.Stage)).ToList();
            return outside.Count > 0 && outside.All(r => r.CpuMsPerWindow is not null) ? outside.Sum(r => r.CpuMsPerWindow!.Value) : null;
        }
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine($"Where a stream window's time goes inside the service (EEG-window model, the {Streams}-stream level; the service's GetServingProfile):");
        text.AppendLine();
        text.AppendLine("| stage | windows | wall ms per window | CPU ms per window (its thread) |");
        text.AppendLine("|---|---:|---:|---:|");
        foreach (var row in Rows)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Stage} | {row.Windows} | {row.WallMsPerWindow:0.000} | {(row.CpuMsPerWindow is { } cpu ? cpu.ToString("0.000", CultureInfo.InvariantCulture) : "-")} |"));
        }
        if (OutsideCpuMs is { } outside)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| **outside the model** ({string.Join(" + ", OutsideStages)}) | | | **{outside:0.000}** ({(outside < TargetOutsideMs ? "met" : "NOT met")}: < {TargetOutsideMs:0} ms) |"));
        }
        if (ServiceCpuMsPerWindow is { } total)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| the service's whole CPU per reply (all threads: the stages, ONNX Runtime, gRPC and HTTP/2, protobuf, GC) | | | {total:0.000} |"));
        }
        return text.ToString();
    }
}
