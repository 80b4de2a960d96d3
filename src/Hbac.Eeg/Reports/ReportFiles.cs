using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hbac.Eeg.Formats;
using Hbac.Eeg.Labels;

namespace Hbac.Eeg.Reports;

/// <summary>
/// A report's <c>timeline.csv</c> and <c>report.json</c>: the command writes them, the inference service's
/// ScoreRecording sends the same JSON as its summary.
/// </summary>
public static class ReportFiles
{
    public static void WriteTimeline(string path, IReadOnlyList<SegmentScore> segments)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        writer.WriteLine($"start_seconds,end_seconds,{string.Join(',', EegClasses.VoteColumns.Select(c => c.Replace("_vote", "", StringComparison.Ordinal)))},top_class,quality,bad_electrodes");
        foreach (var s in segments)
        {
            var probabilities = string.Join(',', s.Probabilities.Select(p => p.ToString("0.0000", CultureInfo.InvariantCulture)));
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{s.StartSeconds:0.##},{s.EndSeconds:0.##},{probabilities},{(s.Scored ? EegClasses.Names[s.TopClass] : "")},{s.Quality.Flag},{s.Quality.Details}"));
        }
    }

    public static JsonObject Build(
        ChunkedRecording recording, string model, int stepSeconds, RecordingAnalysis analysis, SzCoreScore? score, string? truthPath)
    {
        static JsonNode? Round(double? value, int digits = 4) => value is { } v ? JsonValue.Create(Math.Round(v, digits)) : null;
        var minutes = new JsonObject();
        for (var c = 0; c < EegClasses.Count; c++)
        {
            minutes[EegClasses.Names[c]] = Round(analysis.ClassMinutes[c], 2);
        }
        minutes["not_scored"] = Round(analysis.NotScoredMinutes, 2);
        JsonObject Burden(IReadOnlyList<BurdenPoint> points, double window) => new()
        {
            ["window_seconds"] = window,
            ["max"] = Round(points.Max(p => p.Burden)),
            ["max_at_seconds"] = points.Where(p => p.Burden is not null).MaxBy(p => p.Burden!.Value)?.TimeSeconds,
            ["series"] = new JsonArray([.. points.Select(p => (JsonNode)new JsonArray(p.TimeSeconds, Round(p.Burden)))]),
        };
        var report = new JsonObject
        {
            ["recording"] = new JsonObject
            {
                ["file"] = recording.Source,
                ["format"] = recording.Format,
                ["duration_seconds"] = Math.Round(recording.DurationSeconds, 3),
                // EDF+D pauses: read as missing samples, so their segments are not scored.
                ["gaps"] = new JsonArray([.. recording.Gaps.Select(g => (JsonNode)new JsonObject
                {
                    ["start_seconds"] = Math.Round(g.StartSeconds, 3),
                    ["seconds"] = Math.Round(g.Seconds, 3),
                })]),
                ["sample_rate_hz"] = recording.SourceSampleRateHz,
                ["scored_at_hz"] = 200,
                ["streamed_from_disk"] = recording.Streamed,
                ["labels_found"] = new JsonArray([.. recording.Labels.Select(l => (JsonNode)l)]),
                // "bipolar": electrodes_mapped names the 16 chains, whose electrodes were rebuilt from them (BipolarChains).
                ["montage"] = recording.Montage,
                ["electrodes_mapped"] = new JsonObject([.. recording.Mapped.Select(m => KeyValuePair.Create(m.Canonical, (JsonNode?)m.Label))]),
                ["annotations"] = new JsonArray([.. recording.Annotations.Select(a => (JsonNode)new JsonObject
                {
                    ["onset_seconds"] = Math.Round(a.OnsetSeconds, 3),
                    ["duration_seconds"] = a.DurationSeconds,
                    ["text"] = a.Text,
                })]),
            },
            ["model"] = model,
            ["segments"] = new JsonObject
            {
                ["step_seconds"] = stepSeconds,
                ["segment_seconds"] = 10,
                ["count"] = analysis.Segments.Count,
                ["not_scored"] = analysis.Segments.Count(s => !s.Scored),
                ["first_start_seconds"] = analysis.Segments.FirstOrDefault()?.StartSeconds,
                ["last_end_seconds"] = analysis.Segments.LastOrDefault()?.EndSeconds,
                ["geometry"] = "each segment is the centre 10 s of a 50-s model window; the first 20 s and the last 20 s (plus any tail shorter than a step) are never a window's centre and are not scored",
                ["quality_rules"] = JsonSerializer.SerializeToNode(SignalQualityRules.Default),
            },
            ["minutes_per_class"] = minutes,
            ["seizure_burden"] = new JsonObject
            {
                ["definition"] = "share of the scored time in the trailing window whose segments have Seizure as the most probable class; not-scored segments count neither as seizure nor as background; null where nothing was scored",
                ["thresholds"] = new JsonArray(0.1, 0.9),
                ["trailing_5min"] = Burden(analysis.Burden5Minutes, RecordingAnalysis.FiveMinutes),
                ["trailing_60min"] = Burden(analysis.Burden60Minutes, RecordingAnalysis.SixtyMinutes),
            },
            ["status_epilepticus"] = new JsonArray([.. analysis.StatusEpilepticus.Select(f => (JsonNode)new JsonObject
            {
                ["name"] = f.Name,
                ["rule"] = f.Rule,
                ["held"] = f.Held,
                ["first_held_seconds"] = f.FirstHeldSeconds,
            })]),
            ["event_detection"] = new JsonObject
            {
                ["on_threshold"] = analysis.EventOptions.OnThreshold,
                ["off_threshold"] = analysis.EventOptions.OffThreshold,
                ["min_duration_seconds"] = analysis.EventOptions.MinDurationSeconds,
                ["merge_gap_seconds"] = analysis.EventOptions.MergeGapSeconds,
                ["rule"] = "per non-Other class: an event starts at a scored segment with probability >= on_threshold and lasts while it stays >= off_threshold (a not-scored segment ends it); events of a class less than merge_gap_seconds apart are merged; events shorter than min_duration_seconds are dropped",
            },
            ["events"] = new JsonArray([.. analysis.Events.Select(e => (JsonNode)new JsonObject
            {
                ["onset_seconds"] = e.OnsetSeconds,
                ["offset_seconds"] = e.OffsetSeconds,
                ["class"] = e.ClassName,
                ["peak_probability"] = Math.Round(e.PeakProbability, 4),
            })]),
        };
        if (score is not null)
        {
            report["szcore"] = SzCore(score, truthPath);
        }
        return report;
    }

    /// <summary>The <c>szcore</c> block of report.json.</summary>
    public static JsonObject SzCore(SzCoreScore score, string? truthPath)
    {
        static JsonNode? Round(double? value, int digits = 4) => value is { } v ? JsonValue.Create(Math.Round(v, digits)) : null;
        return new JsonObject
        {
            ["truth"] = truthPath,
            ["convention"] = $"seizure events only; events < {SzCoreScoring.MergeGap} s apart merged; any-overlap with {SzCoreScoring.PreTolerance} s tolerance before a true onset and {SzCoreScoring.PostTolerance} s after its offset",
            ["reference_events"] = score.ReferenceEvents,
            ["detected_events"] = score.DetectedEvents,
            ["true_positives"] = score.TruePositives,
            ["false_positives"] = score.FalsePositives,
            ["sensitivity"] = Round(score.Sensitivity),
            ["precision"] = Round(score.Precision),
            ["f1"] = Round(score.F1),
            ["false_alarms_per_24h"] = Round(score.FalseAlarmsPer24Hours, 3),
            ["hours"] = Round(score.RecordingHours, 4),
        };
    }

    public static string ToText(JsonObject report) => report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

    public static void WriteJson(string path, JsonObject report) => File.WriteAllText(path, ToText(report));
}
