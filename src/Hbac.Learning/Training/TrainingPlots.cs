using ScottPlot;

namespace Hbac.Learning.Training;

/// <summary>The run folder's figures (ScottPlot): loss curves like the seed's figure, the confusion matrix and the reliability diagram.</summary>
public static class TrainingPlots
{
    private const int PanelWidth = 640;
    private const int PanelHeight = 440;

    /// <summary>One panel per run, side by side: train and validation loss (and validation Kaggle KL) per epoch.</summary>
    public static void DrawCurves(string path, IReadOnlyList<(string Title, IReadOnlyList<EpochMetrics> Epochs)> runs)
    {
        if (runs.Count == 1)
        {
            var plot = CurvesPanel(runs[0].Title, runs[0].Epochs);
            plot.SavePng(path, PanelWidth, PanelHeight);
            return;
        }
        var multiplot = new Multiplot();
        multiplot.RemovePlot(multiplot.GetPlot(0));
        foreach (var (title, epochs) in runs)
        {
            multiplot.AddPlot(CurvesPanel(title, epochs));
        }
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        // Same y range on every panel, so the runs compare at a glance.
        var top = runs.SelectMany(r => r.Epochs).SelectMany(e => new[] { e.TrainLoss, e.ValidationLoss, e.ValidationKaggleKl })
            .Where(double.IsFinite).DefaultIfEmpty(1).Max();
        foreach (var plot in multiplot.GetPlots())
        {
            plot.Axes.SetLimitsY(0, top * 1.05);
        }
        multiplot.SavePng(path, PanelWidth * runs.Count, PanelHeight);
    }

    private static Plot CurvesPanel(string title, IReadOnlyList<EpochMetrics> epochs)
    {
        var plot = new Plot();
        var x = epochs.Select(e => (double)e.Epoch + 1).ToArray();
        Line(plot, x, epochs.Select(e => e.TrainLoss).ToArray(), "train loss", Colors.Blue, LinePattern.Solid);
        Line(plot, x, epochs.Select(e => e.ValidationLoss).ToArray(), "validation loss", Colors.Orange, LinePattern.Solid);
        Line(plot, x, epochs.Select(e => e.ValidationKaggleKl).ToArray(), "validation Kaggle KL", Colors.Green, LinePattern.Dashed);
        // The second stage trains on fewer, cleaner windows: its train loss is not comparable with the first's.
        if (epochs.FirstOrDefault(e => e.FineTune) is { } fineTune)
        {
            var boundary = plot.Add.VerticalLine(fineTune.Epoch + 0.5, 1, Colors.Gray, LinePattern.Dotted);
            boundary.LegendText = "second stage (windows with many votes)";
        }
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("KL divergence");
        plot.ShowLegend(Alignment.UpperRight);
        plot.Axes.SetLimitsX(0.5, Math.Max(1, x.Length) + 0.5);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        return plot;
    }

    private static void Line(Plot plot, double[] x, double[] y, string label, Color color, LinePattern pattern)
    {
        var line = plot.Add.Scatter(x, y, color);
        line.LegendText = label;
        line.LinePattern = pattern;
        line.LineWidth = 2;
        line.MarkerSize = 6;
    }

    /// <summary>Counts as a heat map with the numbers written in each cell; rows = true class, columns = predicted.</summary>
    public static void DrawConfusion(string path, ConfusionMatrix confusion, string title)
    {
        var n = confusion.Classes.Count;
        var plot = new Plot();
        // Row-normalised colour, so small classes are as readable as large ones; cells print the counts.
        var shares = new double[n, n];
        for (var r = 0; r < n; r++)
        {
            var total = confusion.Counts[r].Sum();
            for (var c = 0; c < n; c++)
            {
                shares[r, c] = total == 0 ? 0 : (double)confusion.Counts[r][c] / total;
            }
        }
        var heatmap = plot.Add.Heatmap(shares);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.Extent = new CoordinateRect(-0.5, n - 0.5, -0.5, n - 0.5);
        for (var r = 0; r < n; r++)
        {
            for (var c = 0; c < n; c++)
            {
                var text = plot.Add.Text(confusion.Counts[r][c].ToString(System.Globalization.CultureInfo.InvariantCulture), c, r);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = 16;
                // Black on a pale box reads on every colour of the map.
                text.LabelFontColor = Colors.Black;
                text.LabelBackgroundColor = Colors.White.WithAlpha(0.75);
                text.LabelPadding = 3;
            }
        }
        var ticks = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(ticks, confusion.Classes.ToArray());
        plot.Axes.Left.SetTicks(ticks, confusion.Classes.ToArray());
        plot.Axes.SetLimits(-0.5, n - 0.5, n - 0.5, -0.5);
        plot.Title($"{title} - accuracy {confusion.Accuracy:P1}");
        plot.XLabel("predicted");
        plot.YLabel("experts' consensus");
        plot.SavePng(path, 640, 600);
    }

    /// <summary>
    /// The reliability diagram: per bin of predicted probability, the mean prediction against the mean share of the
    /// votes (every class of every window, and each window's top label), with the diagonal a calibrated model follows.
    /// </summary>
    public static void DrawCalibration(string path, ValidationCalibration calibration, string title)
    {
        var plot = new Plot();
        var diagonal = plot.Add.Line(0, 0, 1, 1);
        diagonal.Color = Colors.Gray;
        diagonal.LinePattern = LinePattern.Dotted;
        diagonal.LegendText = "calibrated";
        foreach (var (curve, label, color) in new[] { (calibration.Classwise, "every class", Colors.Blue), (calibration.TopLabel, "top label", Colors.Orange) })
        {
            Line(plot, [.. curve.Bins.Select(b => b.MeanPredicted)], [.. curve.Bins.Select(b => b.MeanObserved)],
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{label}: ECE {curve.ExpectedError:0.000} ({curve.Predictions} predictions)"), color, LinePattern.Solid);
            // A bin of two predictions is mostly vote noise: marker area follows the bin's share of the predictions.
            foreach (var bin in curve.Bins)
            {
                plot.Add.Marker(bin.MeanPredicted, bin.MeanObserved, MarkerShape.FilledCircle, (float)(3 + 22 * Math.Sqrt((double)bin.Count / curve.Predictions)), color);
            }
        }
        plot.Title($"{title} - reliability");
        plot.XLabel("predicted probability (bin mean; marker area: the bin's share)");
        plot.YLabel("share of the experts' votes");
        // A little margin, so points at 0 or 1 show whole.
        plot.Axes.SetLimits(-0.02, 1.02, -0.02, 1.02);
        plot.ShowLegend(Edge.Bottom);
        plot.SavePng(path, PanelWidth, PanelWidth + 60);
    }
}
