using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hbac.Eeg.Labels;
using Hbac.Learning.Training;
using Hbac.Onnx;
using Hbac.Onnx.Quantization;

namespace Hbac.Learning.Quantization;

/// <summary>A stage of <see cref="ModelQuantization.RunAsync"/> and how far it got, for progress bars.</summary>
public readonly record struct QuantizationProgress(string Stage, int Done, int Total);

/// <summary>
/// fp32 ONNX classifier -> gated int8 QDQ model: calibrate on the fold's training windows, quantize,
/// read back what ONNX Runtime fused, compare both models on the fold's validation windows (drift, fold
/// KL, ms per window) and write the int8 model only when <see cref="DriftGate"/> lets it pass. The output
/// appears whole or not at all (written beside it under a temporary name, then moved).
/// </summary>
public static partial class ModelQuantization
{
    private const int FoldCount = 5;
    private const int FoldSeed = 42;
    private const int CalibrationBatch = 8;
    private const string CardFile = "card.json";

    public static async Task<QuantizationReport> RunAsync(QuantizationOptions options, IProgress<QuantizationProgress>? progress = null, CancellationToken ct = default)
    {
        using var fp32 = OnnxClassifier.Open(options.ModelPath, options.Threads);
        // The model says what it reads (hbac.input in its metadata); the data is opened for that kind.
        var data = KaggleTrainingData.Open(options.DataFolder, options.SpectrogramsFolder, fp32.InputKind());
        return await RunAsync(options, fp32, data, progress, ct).ConfigureAwait(false);
    }

    /// <summary><see cref="RunAsync(QuantizationOptions, IProgress{QuantizationProgress}?, CancellationToken)"/> on data already open (<see cref="QuantizationOptions.DataFolder"/> unused).</summary>
    public static async Task<QuantizationReport> RunAsync(QuantizationOptions options, TrainingData data, IProgress<QuantizationProgress>? progress = null, CancellationToken ct = default)
    {
        using var fp32 = OnnxClassifier.Open(options.ModelPath, options.Threads);
        return await RunAsync(options, fp32, data, progress, ct).ConfigureAwait(false);
    }

    private static async Task<QuantizationReport> RunAsync(QuantizationOptions options, OnnxClassifier fp32, TrainingData data, IProgress<QuantizationProgress>? progress, CancellationToken ct)
    {
        if (options.CalibrationWindows < 1)
        {
            throw new ArgumentException($"--calibration-windows: must be at least 1 (got {options.CalibrationWindows})");
        }
        var kind = fp32.InputKind();
        var (fold, foldSource) = ResolveFold(options, fp32.Metadata);
        var split = FoldSplit.Create(data.Windows, fold, FoldCount, FoldSeed, data.LabelsPath);

        QdqQuantizer quantizer;
        try
        {
            quantizer = new QdqQuantizer(await File.ReadAllBytesAsync(options.ModelPath, ct).ConfigureAwait(false));
        }
        catch (InvalidDataException e)
        {
            throw ModelFileException.InFile(options.ModelPath, e.Message, e);
        }

        // Training windows only: validation windows judge the result and must not shape it.
        var calibration = Spread(split.Train, options.CalibrationWindows);
        using (var calibrator = new ActivationCalibrator(quantizer.FoldedModel, quantizer.CalibrationTensors, options.Threads))
        {
            var inputs = new float[CalibrationBatch * Trainer.InputSize];
            for (var start = 0; start < calibration.Count; start += CalibrationBatch)
            {
                var count = Math.Min(CalibrationBatch, calibration.Count - start);
                await data.Source.ReadWindowsAsync(calibration, start, count, inputs, ct).ConfigureAwait(false);
                calibrator.Observe(inputs.AsSpan(0, count * Trainer.InputSize), count);
                progress?.Report(new QuantizationProgress("calibration", start + count, calibration.Count));
            }
            var metadata = new Dictionary<string, string>
            {
                ["hbac.precision"] = "int8",
                ["hbac.quantization"] = JsonSerializer.Serialize(new Dictionary<string, string>
                {
                    ["weights"] = "int8 symmetric per output channel (Conv), per tensor (Gemm)",
                    ["activations"] = "uint8 asymmetric per tensor, calibration min/max",
                    ["format"] = "QDQ",
                    ["calibration_windows"] = calibration.Count.ToString(CultureInfo.InvariantCulture),
                    ["calibration_fold"] = $"training windows of fold {fold}/{FoldCount}",
                    ["source_model"] = Path.GetFileName(options.ModelPath),
                }),
            };
            var bytes = quantizer.Quantize(calibrator.Ranges, metadata);
            return await GateAndWriteAsync(options, fp32, bytes, quantizer, kind, fold, foldSource, calibration.Count, data, split, progress, ct).ConfigureAwait(false);
        }
    }

    private static async Task<QuantizationReport> GateAndWriteAsync(QuantizationOptions options, OnnxClassifier fp32, byte[] bytes, QdqQuantizer quantizer,
        ModelInputKind kind, int fold, string foldSource, int calibrationWindows, TrainingData data, FoldSplit split,
        IProgress<QuantizationProgress>? progress, CancellationToken ct)
    {
        var outPath = Path.GetFullPath(options.OutPath);
        var directory = Path.GetDirectoryName(outPath)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(outPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await File.WriteAllBytesAsync(temporary, bytes, ct).ConfigureAwait(false);
            var nodeTypes = OptimizedGraph.NodeTypes(temporary, options.Threads);
            using var int8 = OnnxClassifier.Open(temporary, options.Threads);

            var validation = split.Validation;
            var fp32Probabilities = await FoldEvaluator.PredictAsync(fp32, data.Source, validation,
                progress: Stage(progress, "fp32 validation"), ct: ct).ConfigureAwait(false);
            var int8Probabilities = await FoldEvaluator.PredictAsync(int8, data.Source, validation,
                progress: Stage(progress, "int8 validation"), ct: ct).ConfigureAwait(false);
            var fp32Score = FoldEvaluator.Score(data, split, fold, fp32Probabilities);
            var int8Score = FoldEvaluator.Score(data, split, fold, int8Probabilities);
            var drift = new DriftMeasurement(DriftGate.MeanKl(fp32Probabilities, int8Probabilities, EegClasses.Count), fp32Score.ModelKl, int8Score.ModelKl);

            var window = new float[Trainer.InputSize];
            await data.Source.ReadWindowAsync(validation[0].InputId, validation[0].InputOffsetSeconds, window, ct).ConfigureAwait(false);
            var timings = new List<TimingComparison>();
            foreach (var batch in options.TimingBatchSizes)
            {
                progress?.Report(new QuantizationProgress($"timing batch {batch}", 0, 1));
                timings.Add(InferenceTiming.Compare(fp32, int8, window, batch, options.TimingBudget, ct));
                progress?.Report(new QuantizationProgress($"timing batch {batch}", 1, 1));
            }

            var refusals = options.Gate.Refusals(drift).ToList();
            var expected = quantizer.QuantizedNodeTypes;
            // The fusion check: a Conv left in the optimized graph means ORT ran it in float between a DQ and a Q.
            var convs = expected.GetValueOrDefault("Conv");
            var fused = nodeTypes.GetValueOrDefault("QLinearConv");
            if (fused < convs)
            {
                refusals.Add($"only {fused} of {convs} Conv nodes became QLinearConv in ONNX Runtime's optimized graph");
            }
            string? writtenTo = null;
            if (refusals.Count == 0)
            {
                File.Move(temporary, outPath, overwrite: true);
                writtenTo = outPath;
            }
            return new QuantizationReport(kind.Name(), fold, foldSource, calibrationWindows, quantizer.FoldedBatchNorms, quantizer.PaddedDepthwiseConvs, quantizer.CalibrationTensors.Count,
                expected, nodeTypes, fp32Score, int8Score, drift, timings, options.Threads, refusals, writtenTo);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static IProgress<(int Done, int Total)>? Stage(IProgress<QuantizationProgress>? progress, string stage) =>
        progress is null ? null : new Forward(p => progress.Report(new QuantizationProgress(stage, p.Done, p.Total)));

    private sealed class Forward(Action<(int Done, int Total)> report) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => report(value);
    }

    /// <summary>At most <paramref name="count"/> windows spread evenly over <paramref name="windows"/> (all patients, not the first few).</summary>
    internal static IReadOnlyList<TrainingWindow> Spread(IReadOnlyList<TrainingWindow> windows, int count)
    {
        if (windows.Count <= count)
        {
            return windows;
        }
        return Enumerable.Range(0, count).Select(i => windows[(int)((long)i * windows.Count / count)]).ToList();
    }

    /// <summary>--fold, else the fold in card.json beside the model, else the fold in the metadata's card_summary, else 0.</summary>
    private static (int Fold, string Source) ResolveFold(QuantizationOptions options, IReadOnlyDictionary<string, string> metadata)
    {
        if (options.Fold is { } explicitFold)
        {
            if (explicitFold is < 0 or >= FoldCount)
            {
                throw new ArgumentException($"--fold: must be in 0..{FoldCount - 1} (got {explicitFold})");
            }
            return (explicitFold, "--fold");
        }
        var card = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.ModelPath))!, CardFile);
        if (File.Exists(card))
        {
            return (ModelCard.Load(card).HyperParameters.Fold, CardFile);
        }
        if (metadata.TryGetValue("card_summary", out var summary) && FoldInSummary().Match(summary) is { Success: true } match)
        {
            return (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), "metadata card_summary");
        }
        return (0, "default");
    }

    [GeneratedRegex(@"\bfold=(\d+)/")]
    private static partial Regex FoldInSummary();
}
