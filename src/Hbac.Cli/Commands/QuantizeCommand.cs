using System.CommandLine;
using System.Globalization;
using Hbac.Eeg.Metrics;
using Hbac.Learning.Quantization;
using Hbac.Learning.Training;
using Hbac.Onnx.Quantization;
using Spectre.Console;

namespace Hbac.Cli.Commands;

/// <summary>
/// <c>hbac quantize</c>: fp32 ONNX classifier -> int8 QDQ model, calibrated on the fold's training windows,
/// fusion checked on ONNX Runtime's optimized graph, and written only if it passes the drift gate.
/// </summary>
internal static class QuantizeCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "fp32 ONNX classifier (model.onnx of a run folder)", Required = true };
        var data = new Option<string>("--data") { Description = "Kaggle-format folder the model was trained on (train.csv, train_spectrograms/ or train_eegs/)", Required = true };
        var output = (new Option<string>("--out") { Description = "Where the int8 model goes (written only if it passes the gate)", Required = true }).MustNotBeAFolder();
        var fold = new Option<int?>("--fold") { Description = "Fold to calibrate (training windows) and gate (validation windows) on; default the model's own (card.json), else 0" };
        var calibrationWindows = new Option<int>("--calibration-windows") { Description = "Training windows that calibrate the activation ranges", DefaultValueFactory = _ => 128 };
        var maxDrift = new Option<double>("--max-drift") { Description = "Refuse when mean KL(fp32 || int8) on the validation windows exceeds this", DefaultValueFactory = _ => DriftGate.DefaultMaxDrift };
        var maxKlIncrease = new Option<double>("--max-kl-increase") { Description = "Refuse when the int8 fold KL is worse than fp32's by more than this fraction", DefaultValueFactory = _ => DriftGate.DefaultMaxKlIncrease };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads for both models (timing compares them at the same count)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var spectrograms = new Option<string?>("--spectrograms") { Description = "Folder of <id>.parquet or <id>.npy (default <data>/train_spectrograms)" };
        var command = new Command("quantize", "Quantize a model to int8 (QDQ, per-channel weights) and write it only if it stays close to the fp32 model.");
        foreach (var option in new Option[] { model, data, output, fold, calibrationWindows, maxDrift, maxKlIncrease, threads, spectrograms })
        {
            command.Options.Add(option);
        }
        command.SetAction((parseResult, ct) => CliGuard.RunAsync(async () =>
        {
            if (parseResult.GetValue(fold) is { } f && f is < 0 or > 4)
            {
                throw new CliUsageException($"--fold: must be in 0..4 (got {f})");
            }
            if (parseResult.GetValue(calibrationWindows) < 1)
            {
                throw new CliUsageException($"--calibration-windows: must be at least 1 (got {parseResult.GetValue(calibrationWindows)})");
            }
            if (parseResult.GetValue(threads) < 1)
            {
                throw new CliUsageException($"--threads: must be at least 1 (got {parseResult.GetValue(threads)})");
            }
            var options = new QuantizationOptions
            {
                ModelPath = parseResult.GetValue(model)!,
                DataFolder = parseResult.GetValue(data)!,
                OutPath = parseResult.GetValue(output)!,
                SpectrogramsFolder = parseResult.GetValue(spectrograms),
                Fold = parseResult.GetValue(fold),
                CalibrationWindows = parseResult.GetValue(calibrationWindows),
                Threads = parseResult.GetValue(threads),
                Gate = new DriftGate(parseResult.GetValue(maxDrift), parseResult.GetValue(maxKlIncrease)),
            };
            QuantizationReport? report = null;
            await TrainingConsole.On(Console.Error).Progress().AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var bars = new Dictionary<string, ProgressTask>();
                    var progress = new SynchronousProgress<QuantizationProgress>(p =>
                    {
                        if (!bars.TryGetValue(p.Stage, out var bar))
                        {
                            bars[p.Stage] = bar = context.AddTask(p.Stage);
                        }
                        bar.MaxValue = p.Total;
                        bar.Value = p.Done;
                    });
                    report = await ModelQuantization.RunAsync(options, progress, ct);
                });
            Print(report!, options);
            if (!report!.Written)
            {
                throw new CliUsageException($"refused to write {options.OutPath}: {string.Join("; ", report.Refusals)}");
            }
            return 0;
        }));
        return command;
    }

    private static void Print(QuantizationReport r, QuantizationOptions options)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"{options.ModelPath} ({r.Kind} input), fold {r.Fold} ({r.FoldSource})"));
        Console.WriteLine(string.Create(c, $"calibration: {r.CalibrationWindows} training windows; {r.FoldedBatchNorms} BatchNorms folded, {r.PaddedDepthwiseConvs} depthwise Convs widened to a multiple of 16 channels, {r.QuantizedTensors} activation tensors quantized"));
        Console.WriteLine("quantized in the QDQ graph: " + string.Join(", ", r.ExpectedQuantizedNodes.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}")));
        Console.WriteLine("optimized graph (ONNX Runtime CPU): " + string.Join(", ", r.NodeTypes.Select(p => $"{p.Key} {p.Value}")));
        Console.WriteLine(string.Create(c, $"validation: {Counted.Of(r.Fp32.Windows, "window")}, {Counted.Of(r.Fp32.Patients, "patient")}; timing: {Counted.Of(r.Threads, "thread")}"));
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"{"",-26}{"fp32",10}{"int8",10}"));
        Console.WriteLine(string.Create(c, $"{"fold KL",-26}{r.Fp32.ModelKl,10:F4}{r.Int8.ModelKl,10:F4}  ({r.Drift.KlIncrease:+0.00%;-0.00%} vs fp32, limit +{options.Gate.MaxKlIncrease:0.##%})"));
        Console.WriteLine(string.Create(c, $"{"class-prior KL",-26}{r.Fp32.ClassPriorKl,10:F4}"));
        Console.WriteLine(string.Create(c, $"{"accuracy",-26}{r.Fp32.Confusion.Accuracy,10:P1}{r.Int8.Confusion.Accuracy,10:P1}"));
        // Whether int8 changed what the probabilities mean (Calibration; against the votes).
        static string Ece(FoldEvaluation e, CalibrationKind kind) =>
            e.CalibrationOf(kind) is { } k ? k.ExpectedError.ToString("F4", CultureInfo.InvariantCulture) : "-";
        foreach (var (label, kind) in new[] { ("classwise ECE", CalibrationKind.Classwise), ("top-label ECE", CalibrationKind.TopLabel) })
        {
            Console.WriteLine(string.Create(c, $"{label,-26}{Ece(r.Fp32, kind),10}{Ece(r.Int8, kind),10}"));
        }
        Console.WriteLine(string.Create(c, $"{"mean KL(fp32 || int8)",-26}{"",10}{r.Drift.MeanDrift,10:F5}  (limit {options.Gate.MaxDrift})"));
        foreach (var t in r.Timings)
        {
            Console.WriteLine(string.Create(c, $"{$"ms/window, batch {t.BatchSize}",-26}{t.Fp32MsPerWindow,10:F2}{t.Int8MsPerWindow,10:F2}  ({t.Ratio:F2}x, median of {t.Rounds} alternating rounds)"));
        }
        Console.WriteLine();
        Console.WriteLine(r.Written ? $"written: {r.WrittenTo}" : $"not written: {string.Join("; ", r.Refusals)}");
    }
}
