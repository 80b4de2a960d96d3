using Hbac.Eeg.Formats.Edf;
using Hbac.Eeg.Labels;
using Hbac.Eeg.Reports;
using ScottPlot;

namespace Hbac.Cli.Reports;

/// <summary>
/// <c>report.png</c>, read at a glance: the six class probabilities stacked over time with the EDF+
/// annotations marked; the seizure burden (trailing 5 and 60 minutes) with its 10 % and 90 % thresholds;
/// the events as bars, one row per class (with the true events beneath when a truth file was given, and
/// the not-scored stretches in grey). One shared time axis, in minutes (hours beyond 3 h).
/// </summary>
internal static class ReportPlot
{
    private const int Width = 1600;
    private const int PanelHeight = 330;

    private static readonly Color[] ClassColors =
    [
        Colors.Red, Colors.DarkOrange, Colors.Gold, Colors.MediumSeaGreen, Colors.SteelBlue, Colors.LightGray,
    ];

    public static void Draw(string path, string title, double durationSeconds, RecordingAnalysis analysis,
        IReadOnlyList<EdfAnnotation> annotations, IReadOnlyList<AnnotatedEvent>? truth)
    {
        var hours = durationSeconds > 3 * 3600;
        var unit = hours ? 3600.0 : 60.0;
        var unitName = hours ? "hours" : "minutes";
        double X(double seconds) => seconds / unit;

        var probabilities = new Plot();
        var segments = analysis.Segments;
        var x = segments.Select(s => X((s.StartSeconds + s.EndSeconds) / 2)).ToArray();
        var below = new double[segments.Count];
        for (var c = 0; c < EegClasses.Count; c++)
        {
            var above = below.Select((b, i) => b + segments[i].Probabilities[c]).ToArray();
            if (x.Length > 0)
            {
                var fill = probabilities.Add.FillY(x, above, below);
                fill.FillColor = ClassColors[c].WithAlpha(0.85);
                fill.LineWidth = 0;
                fill.LegendText = EegClasses.Names[c];
            }
            below = above;
        }
        foreach (var a in annotations.Take(200))
        {
            var line = probabilities.Add.VerticalLine(X(a.OnsetSeconds), 1, Colors.Black.WithAlpha(0.6), LinePattern.Dotted);
            line.Text = a.Text.Length > 24 ? a.Text[..24] : a.Text;
            line.LabelOppositeAxis = true;
            line.LabelFontSize = 9;
        }
        probabilities.Title(title);
        probabilities.YLabel("class probability (stacked)");
        probabilities.Axes.SetLimitsY(0, 1);
        probabilities.ShowLegend(Alignment.UpperRight);

        var burden = new Plot();
        void BurdenLine(IReadOnlyList<BurdenPoint> points, string label, Color color)
        {
            var xs = points.Where(p => p.Burden is not null).Select(p => X(p.TimeSeconds)).ToArray();
            var ys = points.Where(p => p.Burden is not null).Select(p => 100 * p.Burden!.Value).ToArray();
            if (xs.Length > 0)
            {
                var line = burden.Add.ScatterLine(xs, ys, color);
                line.LineWidth = 2;
                line.LegendText = label;
            }
        }
        BurdenLine(analysis.Burden5Minutes, "seizure burden, trailing 5 min", Colors.Red);
        BurdenLine(analysis.Burden60Minutes, "seizure burden, trailing 60 min", Colors.DarkRed);
        foreach (var (level, label) in new[] { (10.0, "10 %"), (90.0, "90 % (status epilepticus)") })
        {
            burden.Add.HorizontalLine(level, 1, Colors.Gray, LinePattern.Dashed);
            // Inside the plot at its right end, just above the line: a line's own label sits rotated on the left axis, where
            // it covered the tick labels and, 90 % being long, reached up into the panel above.
            var text = burden.Add.Text(label, X(durationSeconds), level + 1);
            text.LabelAlignment = Alignment.LowerRight;
            text.LabelFontSize = 11;
            text.LabelFontColor = Colors.DimGray;
        }
        burden.YLabel("seizure burden (%)");
        burden.Axes.SetLimitsY(0, 100);
        burden.ShowLegend(Alignment.UpperLeft);

        var events = new Plot();
        var rows = EegClasses.Count - 1;
        foreach (var e in analysis.Events)
        {
            var bar = events.Add.Rectangle(X(e.OnsetSeconds), X(e.OffsetSeconds), rows - e.ClassIndex - 0.4, rows - e.ClassIndex + 0.4);
            bar.FillColor = ClassColors[e.ClassIndex];
            bar.LineWidth = 0;
        }
        foreach (var e in truth ?? [])
        {
            var bar = events.Add.Rectangle(X(e.OnsetSeconds), X(e.OffsetSeconds), rows - e.ClassIndex - 0.45, rows - e.ClassIndex - 0.15);
            bar.FillColor = Colors.Black.WithAlpha(0.7);
            bar.LineWidth = 0;
        }
        foreach (var (start, end) in NotScoredStretches(segments))
        {
            var bar = events.Add.Rectangle(X(start), X(end), -0.4, 0.4);
            bar.FillColor = Colors.Gray;
            bar.LineWidth = 0;
        }
        var ticks = Enumerable.Range(0, rows).Select(c => new Tick(rows - c, EegClasses.Names[c])).Append(new Tick(0, "not scored")).ToArray();
        events.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        events.Axes.SetLimitsY(-0.6, rows + 0.6);
        events.YLabel(truth is null ? "events" : "events (truth: thin black bars)");
        events.XLabel($"time ({unitName})");

        foreach (var plot in new[] { probabilities, burden, events })
        {
            plot.Axes.SetLimitsX(0, Math.Max(X(durationSeconds), 1e-3));
            // The same margins in every panel, so that their time axes line up (each would otherwise fit its own tick labels).
            plot.Layout.Fixed(new PixelPadding(left: 100, right: 20, bottom: plot == events ? 50 : 30, top: plot == probabilities ? 50 : 15));
        }
        var multiplot = new Multiplot();
        multiplot.RemovePlot(multiplot.GetPlot(0));
        multiplot.AddPlot(probabilities);
        multiplot.AddPlot(burden);
        multiplot.AddPlot(events);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Rows();
        multiplot.SavePng(path, Width, 3 * PanelHeight);
    }

    private static IEnumerable<(double Start, double End)> NotScoredStretches(IReadOnlyList<SegmentScore> segments)
    {
        double? start = null;
        double end = 0;
        foreach (var s in segments)
        {
            if (!s.Scored)
            {
                start ??= s.StartSeconds;
                end = s.EndSeconds;
            }
            else if (start is { } open)
            {
                yield return (open, end);
                start = null;
            }
        }
        if (start is { } last)
        {
            yield return (last, end);
        }
    }
}
