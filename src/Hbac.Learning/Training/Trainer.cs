using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Hbac.Eeg;
using Hbac.Eeg.Labels;
using Hbac.Eeg.Windows;
using Hbac.Eeg.Metrics;
using Hbac.Eeg.Randomness;
using Hbac.Eeg.Spectrograms;
using Hbac.Learning.Models;
using Hbac.Learning.Onnx;
using Hbac.Learning.Torch;
using Hbac.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Hbac.Learning.Training;

/// <summary>
/// Trains one model on one fold and writes the run folder (model.onnx, card.json, curves.png,
/// confusion.png, calibration.png, best.dat). The seed's recipe with its flaws fixed: the LR schedule follows the real
/// epoch count; BatchNorm statistics move fast enough to be usable (momentum 0.1 instead of 0.01) and
/// validation runs in eval mode, so the validation loss measures the model that is exported.
/// </summary>
public static class Trainer
{
    public const int Channels = 3;
    public const int Height = SpectrogramLayout.Rows;
    public const int Width = SpectrogramLayout.WindowColumns;
    public const int InputSize = Channels * Height * Width;

    private static readonly Lock TorchProcessState = new();

    // A validation batch costs roughly a third of a training step (forward only), for the ETA.
    private const double ValidationStepWeight = 1.0 / 3;

    public static async Task<TrainingResult> RunAsync(
        TrainingData data,
        TrainingOptions options,
        string runFolder,
        IProgress<TrainingEvent>? progress = null,
        CancellationToken ct = default)
    {
        options.Validate();
        if (!ModelCatalog.Names.Contains(options.Model.Trim().ToLowerInvariant()))
        {
            throw new EegDataException($"--model: unknown model '{options.Model}' (known: {string.Join(", ", ModelCatalog.Names)})");
        }
        var split = FoldSplit.Create(data.Windows, options.Fold, options.FoldCount, options.FoldSeed, data.LabelsPath);
        var random = new DeterministicRandom((ulong)options.Seed);
        var trainRows = options.Labels == LabelTargets.PooledVotes ? VotePooling.PoolByEeg(split.Train) : split.Train;
        var train = Subsample(trainRows, options.MaxTrainWindows, random.Fork());
        var validation = Subsample(split.Validation, options.MaxValidationWindows, random.Fork());
        var shuffles = random.Fork();
        // EEG-window runs also flip hemispheres, from a stream of their own (spectrogram runs draw exactly as before).
        var flip = data.Kind == ModelInputKind.Eeg && options.Augmentation.Probability > 0 && options.Augmentation.HemisphereFlip > 0
            ? new HemisphereFlip(Hbac.Eeg.Windows.EegWindow.HemisphereMirror, options.Augmentation.HemisphereFlip, random.Fork())
            : null;
        var augmenter = new BatchAugmenter(options.Augmentation, random.Fork(), flip);

        Directory.CreateDirectory(runFolder);
        var checkpointPath = Path.Combine(runFolder, RunFolderLayout.Checkpoint);
        var wallClock = Stopwatch.StartNew();

        var fineTune = options.FineTuneEpochs > 0 ? train.Where(w => w.ExpertVotes >= options.FineTuneMinVotes).ToArray() : [];

        NativeAllocator.Tune();
        var device = TorchDevice.Pick();
        Nnpack.DisableWhereUnavailable();
        ClassifierModel created;
        string? layoutFallback = null;
        // torch's generator and thread count are process-wide: a run that starts next to another one
        // seeds and draws its initial weights alone, so a seed gives the same model either way. The layout check
        // runs here too: it saves and restores the global generator, which must not happen while another run draws.
        lock (TorchProcessState)
        {
            torch.set_num_threads(options.Threads);
            torch.random.manual_seed(options.Seed);
            created = ModelCatalog.Create(options.Model, EegClasses.Count, new ModelOptions
            {
                InputDownsample = options.InputDownsample,
                InputDownsampleColumns = options.InputDownsampleColumns,
                BatchNormMomentum = options.BatchNormMomentum,
                WeightsPath = options.InitialWeights,
                ChannelsLast = options.ChannelsLast,
            });
            try
            {
                created.to(device);
                // Channels-last kernels that compute something else would train the weights to that wrong function, and the
                // exported model (computed correctly by ONNX Runtime) would score worse than the run's own validation said.
                // What ran NCHW is the check's finding, never an input.
                options = options with { NchwConvolutions = null };
                // Where the whole model disagrees, only the convolutions whose kernels are wrong run NCHW if that mends it: on
                // the AMD EPYC a quick EEG step took 0.51-0.65x of an all-NCHW one that way.
                var sizes = ChannelsLastCheck.BatchSizes(options.BatchSize, train.Count, validation.Count, fineTune.Length);
                if (ChannelsLastCheck.Choose(created, sizes, Channels, Height, Width, device) is { } choice)
                {
                    layoutFallback = choice.Describe();
                    options = options with
                    {
                        ChannelsLast = choice.ChannelsLast,
                        NchwConvolutions = choice.Mended is null ? null : string.Join(' ', choice.NchwConvolutions!),
                    };
                }
            }
            catch
            {
                created.Dispose();
                throw;
            }
        }
        using var model = created;
        var schedule = options.Schedule();
        var optimizer = torch.optim.Adam(model.parameters(), lr: schedule.At(0), weight_decay: options.WeightDecay);

        var batch = options.BatchSize;
        var fineTuneEpochs = fineTune.Length > 0 ? options.FineTuneEpochs : 0;
        var stepsPerEpoch = StepsOf(train.Count, batch);
        var validationSteps = StepsOf(validation.Count, batch);
        var started = new TrainingStarted(options.Model, device.type.ToString().ToLowerInvariant(), train.Count, validation.Count,
            options.Epochs, stepsPerEpoch, validationSteps, fineTuneEpochs, fineTune.Length, StepsOf(fineTune.Length, batch), layoutFallback);
        progress?.Report(started);
        var clock = new ProgressClock(
            options.Epochs * (stepsPerEpoch + validationSteps * ValidationStepWeight)
                + fineTuneEpochs * (started.FineTuneStepsPerEpoch + validationSteps * ValidationStepWeight),
            started.TotalSteps);

        // Two reused sets of batch arrays (one being filled while the other trains): allocating ~1.4 MB
        // per window would make the GC run constantly next to native TorchSharp calls.
        var buffers = new BatchBuffers();
        var validationVotes = validation.SelectMany(w => w.Votes.Select(v => (double)v)).ToArray();
        var epochs = new List<EpochMetrics>();
        var bestLoss = double.PositiveInfinity;
        var bestEpoch = -1;
        float[]? bestProbabilities = null;

        async Task RunEpochAsync(int epoch, IReadOnlyList<TrainingWindow> rows, double learningRate, bool isFineTune)
        {
            ct.ThrowIfCancellationRequested();
            var epochClock = Stopwatch.StartNew();
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = learningRate;
            }

            // Training.
            model.train();
            var order = Enumerable.Range(0, rows.Count).ToArray();
            shuffles.Shuffle(order.AsSpan());
            var lossSum = 0.0;
            var trainClock = Stopwatch.StartNew();
            var steps = StepsOf(rows.Count, batch);
            var next = LoadBatchAsync(data.Source, rows, order, 0, Math.Min(batch, rows.Count), options.Labels, buffers, ct);
            for (var step = 0; step < steps; step++)
            {
                var current = await next.ConfigureAwait(false);
                var nextStart = (step + 1) * batch;
                if (nextStart < rows.Count)
                {
                    next = LoadBatchAsync(data.Source, rows, order, nextStart, Math.Min(batch, rows.Count - nextStart), options.Labels, buffers, ct);
                }
                augmenter.Apply(current.Inputs, current.Targets, current.Count, Channels, Height, Width);
                var loss = TrainStep(model, optimizer, current, device);
                // On the AMD EPYC, EfficientNetV2-B2 runs went NaN now and then although a run is deterministic for its seed,
                // and every run started again in such a process went NaN within its first epoch: the process is broken then,
                // so the run stops saying so rather than starting again (Training/README.md, "A run that goes NaN").
                if (!double.IsFinite(loss))
                {
                    throw new TrainingDivergedException(
                        string.Create(CultureInfo.InvariantCulture, $"the loss of epoch {epoch + 1}, step {step + 1} is {loss} (learning rate {learningRate:E2})"));
                }
                lossSum += loss * current.Count;
                clock.Advance(1);
                progress?.Report(new TrainingStep(epoch, false, step, clock.CompletedSteps, clock.TotalSteps, loss,
                    (step * batch + current.Count) / trainClock.Elapsed.TotalSeconds, clock.Elapsed, clock.Eta));
                ct.ThrowIfCancellationRequested();
            }
            var trainSeconds = trainClock.Elapsed.TotalSeconds;
            var trainLoss = lossSum / rows.Count;

            if (options.BatchNormRecalibrationBatches > 0)
            {
                await RecalibrateBatchNormAsync(model, data.Source, rows, order, batch, options.BatchNormRecalibrationBatches,
                    options.BatchNormMomentum, device, ct, buffers).ConfigureAwait(false);
            }

            // Validation, in eval mode: BatchNorm uses its running statistics, as the exported model will.
            var probabilities = await PredictAsync(model, data.Source, validation, batch, device, epoch, clock, progress, buffers, options.OutputTemperature, ct).ConfigureAwait(false);
            if (Array.FindIndex(probabilities, p => !float.IsFinite(p)) is var bad and >= 0)
            {
                throw new TrainingDivergedException(
                    string.Create(CultureInfo.InvariantCulture, $"epoch {epoch + 1}'s validation probabilities are not finite (window {bad / EegClasses.Count}: {probabilities[bad]})"));
            }
            var validationLoss = MeanKl(validation, options.Labels, probabilities);
            var validationKl = KaggleKl.Score(validationVotes, probabilities.Select(p => (double)p).ToArray(), EegClasses.Count);

            var metrics = new EpochMetrics(epoch, trainLoss, validationLoss, validationKl, learningRate,
                rows.Count / trainSeconds, epochClock.Elapsed.TotalSeconds, isFineTune);
            epochs.Add(metrics);
            var isBest = validationLoss < bestLoss;
            if (isBest)
            {
                bestLoss = validationLoss;
                bestEpoch = epoch;
                bestProbabilities = probabilities;
                ModelWeights.Save(model, checkpointPath);
            }
            progress?.Report(new TrainingEpochCompleted(metrics, isBest));
        }

        try
        {
            for (var epoch = 0; epoch < options.Epochs; epoch++)
            {
                await RunEpochAsync(epoch, train, schedule.At(epoch), isFineTune: false).ConfigureAwait(false);
            }
            if (fineTuneEpochs > 0)
            {
                // The second stage starts from the first stage's best weights with a fresh optimiser: Adam's moments
                // were estimated on the noisier targets at a higher learning rate.
                ModelWeights.Load(model, checkpointPath);
                optimizer.Dispose();
                var fineTuneSchedule = options.FineTuneSchedule();
                optimizer = torch.optim.Adam(model.parameters(), lr: fineTuneSchedule.At(0), weight_decay: options.WeightDecay);
                for (var epoch = 0; epoch < fineTuneEpochs; epoch++)
                {
                    await RunEpochAsync(options.Epochs + epoch, fineTune, fineTuneSchedule.At(epoch), isFineTune: true).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            optimizer.Dispose();
        }

        // The exported model is the best epoch's, not the last one's, with its temperature folded into the classifier layer.
        ModelWeights.Load(model, checkpointPath);
        // ChannelsLastCheck judged the kernels at the initial weights, where a wrong one can hide (on the AMD EPYC one did,
        // behind a squeeze-excitation). ONNX Runtime computes the export as NCHW does, so a channels-last run scores its best
        // epoch once more NCHW, and where the two differ the card's numbers are NCHW's: what the exported model scores.
        var bestValidationLoss = epochs[bestEpoch].ValidationLoss;
        var bestValidationKl = epochs[bestEpoch].ValidationKaggleKl;
        double? channelsLastGap = null;
        if (model.ConvolutionsChannelsLast)
        {
            model.UseConvolutionLayout(channelsLast: false);
            var nchw = await PredictAsync(model, data.Source, validation, batch, device, buffers: buffers, temperature: options.OutputTemperature, ct: ct).ConfigureAwait(false);
            channelsLastGap = LargestGap(bestProbabilities!, nchw);
            if (ModelCard.GapDiffers(channelsLastGap.Value))
            {
                bestProbabilities = nchw;
                bestValidationLoss = MeanKl(validation, options.Labels, nchw);
                bestValidationKl = KaggleKl.Score(validationVotes, nchw.Select(p => (double)p).ToArray(), EegClasses.Count);
            }
        }
        model.eval();
        model.ScaleLogits(1 / options.OutputTemperature);

        var prior = split.TrainingPrior(LabelTargets.Votes);
        var priorPredictions = Enumerable.Range(0, validation.Count).SelectMany(_ => prior).ToArray();
        var confusion = ConfusionMatrix.From(EegClasses.Names,
            validation.Select(w => w.Consensus).ToArray(),
            Enumerable.Range(0, validation.Count).Select(i => ArgMax(bestProbabilities!.AsSpan(i * EegClasses.Count, EegClasses.Count))).ToArray());
        var bestPredicted = bestProbabilities!.Select(p => (double)p).ToArray();
        var calibration = new ValidationCalibration(
            Calibration.Of(CalibrationKind.Classwise, bestPredicted, validationVotes, EegClasses.Count),
            Calibration.Of(CalibrationKind.TopLabel, bestPredicted, validationVotes, EegClasses.Count));
        // The best epoch's KL, row by row, resampled over the validation patients as `hbac evaluate` does.
        var rowKl = Enumerable.Range(0, validation.Count).Select(i => KaggleKl.RowDivergence(
            validationVotes.AsSpan(i * EegClasses.Count, EegClasses.Count), bestPredicted.AsSpan(i * EegClasses.Count, EegClasses.Count))).ToArray();
        var klInterval = FoldEvaluation.IntervalOverPatients(rowKl, [.. validation.Select(w => w.PatientId)]);
        var counts = ModelCatalog.CountParameters(model);
        var card = new ModelCard
        {
            Model = model.CatalogName,
            TrainableParameters = counts.Trainable,
            NonTrainableParameters = counts.NonTrainable,
            Classes = EegClasses.Names,
            InputShape = [Channels, Height, Width],
            Input = data.Kind,
            Normalisation = data.Kind.Normalisation(),
            Preprocessing = data.Kind.Parameters(),
            Data = new TrainingDataSummary(data.Folder, data.Fingerprint, data.Windows.Count, train.Count, validation.Count,
                train.Select(w => w.PatientId).Distinct().Count(), validation.Select(w => w.PatientId).Distinct().Count())
            {
                FineTuneWindows = fineTune.Length,
            },
            Profile = options.Profile,
            HyperParameters = options,
            Epochs = epochs,
            BestEpoch = bestEpoch,
            BestValidationLoss = bestValidationLoss,
            BestValidationKaggleKl = bestValidationKl,
            ChannelsLastGap = channelsLastGap,
            ClassPriorValidationKaggleKl = KaggleKl.Score(validationVotes, priorPredictions, EegClasses.Count),
            Confusion = confusion,
            Calibration = calibration,
            ValidationKlInterval = klInterval,
            Device = started.Device,
            Threads = options.Threads,
            WallTimeSeconds = 0,
            CreatedUtc = DateTimeOffset.UtcNow,
        };

        OnnxExporter.Export(model, Path.Combine(runFolder, RunFolderLayout.Onnx), new OnnxExportOptions
        {
            ClassNames = EegClasses.Names,
            Metadata = new Dictionary<string, string>
            {
                ["card_summary"] = card.Summary(),
                [ModelInputKinds.MetadataKey] = data.Kind.Name(),
                [ModelInputKinds.PreprocessingKey] = System.Text.Json.JsonSerializer.Serialize(data.Kind.Parameters()),
            },
        });
        TrainingPlots.DrawCurves(Path.Combine(runFolder, RunFolderLayout.Curves), [(card.Model, epochs)]);
        TrainingPlots.DrawConfusion(Path.Combine(runFolder, RunFolderLayout.Confusion), confusion, $"{card.Model}, validation fold {options.Fold}, epoch {bestEpoch + 1}");
        TrainingPlots.DrawCalibration(Path.Combine(runFolder, RunFolderLayout.Calibration), calibration, $"{card.Model}, validation fold {options.Fold}, epoch {bestEpoch + 1}");
        card = card with { WallTimeSeconds = wallClock.Elapsed.TotalSeconds };
        card.Save(Path.Combine(runFolder, RunFolderLayout.Card));

        var result = new TrainingResult(runFolder, card);
        progress?.Report(new TrainingCompleted(result));
        return result;
    }

    /// <summary>Class probabilities [windows x 6] in eval mode, batch by batch.</summary>
    public static async Task<float[]> PredictAsync(
        ClassifierModel model,
        ITrainingWindowSource source,
        IReadOnlyList<TrainingWindow> windows,
        int batch,
        Device device,
        int epoch = 0,
        ProgressClock? clock = null,
        IProgress<TrainingEvent>? progress = null,
        BatchBuffers? buffers = null,
        double temperature = 1,
        CancellationToken ct = default)
    {
        buffers ??= new BatchBuffers();
        model.eval();
        var probabilities = new float[windows.Count * EegClasses.Count];
        var order = Enumerable.Range(0, windows.Count).ToArray();
        var steps = (windows.Count + batch - 1) / batch;
        var next = LoadBatchAsync(source, windows, order, 0, Math.Min(batch, windows.Count), LabelTargets.Votes, buffers, ct);
        var watch = Stopwatch.StartNew();
        for (var step = 0; step < steps; step++)
        {
            var current = await next.ConfigureAwait(false);
            var nextStart = (step + 1) * batch;
            if (nextStart < windows.Count)
            {
                next = LoadBatchAsync(source, windows, order, nextStart, Math.Min(batch, windows.Count - nextStart), LabelTargets.Votes, buffers, ct);
            }
            using (TorchGcFence.Enter())
            using (var scope = torch.NewDisposeScope())
            using (torch.no_grad())
            {
                var input = BatchTensor(current.Inputs, [current.Count, Channels, Height, Width]).to(device);
                using var logits = model.call(input);
                var output = nn.functional.softmax(temperature == 1 ? logits : logits / temperature, 1).cpu();
                output.data<float>().CopyTo(probabilities.AsSpan(step * batch * EegClasses.Count, current.Count * EegClasses.Count));
            }
            if (clock is not null)
            {
                clock.Advance(ValidationStepWeight);
                progress?.Report(new TrainingStep(epoch, true, step, clock.CompletedSteps, clock.TotalSteps, double.NaN,
                    (step * batch + current.Count) / watch.Elapsed.TotalSeconds, clock.Elapsed, clock.Eta));
            }
            ct.ThrowIfCancellationRequested();
        }
        return probabilities;
    }

    /// <summary>
    /// Precise BatchNorm: resets every BatchNorm's running statistics and re-estimates them as the plain
    /// average over up to <paramref name="batches"/> clean training batches (forward only, train mode):
    /// the k-th batch is folded in with momentum 1/k. Then restores <paramref name="momentum"/>.
    /// (PyTorch spells the cumulative average momentum = None; TorchSharp's BatchNorm does not, so the
    /// 1/k schedule is set explicitly.)
    /// </summary>
    internal static async Task RecalibrateBatchNormAsync(
        ClassifierModel model,
        ITrainingWindowSource source,
        IReadOnlyList<TrainingWindow> train,
        int[] order,
        int batch,
        int batches,
        double momentum,
        Device device,
        CancellationToken ct,
        BatchBuffers? buffers = null)
    {
        buffers ??= new BatchBuffers();
        var norms = model.modules().OfType<TorchSharp.Modules.NormBase>().ToList();
        foreach (var norm in norms)
        {
            norm.reset_running_stats();
        }
        model.train();
        var steps = Math.Min(batches, (train.Count + batch - 1) / batch);
        for (var step = 0; step < steps; step++)
        {
            var start = step * batch;
            var current = await LoadBatchAsync(source, train, order, start, Math.Min(batch, train.Count - start), LabelTargets.Votes, buffers, ct).ConfigureAwait(false);
            foreach (var norm in norms)
            {
                norm.momentum = 1.0 / (step + 1);
            }
            using (TorchGcFence.Enter())
            using (var scope = torch.NewDisposeScope())
            using (torch.no_grad())
            {
                model.call(BatchTensor(current.Inputs, [current.Count, Channels, Height, Width]).to(device));
            }
            ct.ThrowIfCancellationRequested();
        }
        foreach (var norm in norms)
        {
            norm.momentum = momentum;
        }
    }

    /// <summary>
    /// A new tensor holding the first shape-product values of <paramref name="values"/>, copied in one memcpy into
    /// its native storage. <c>torch.tensor(float[], shape)</c> allocated the whole batch again on the managed heap on
    /// every call (23 MB per EEG batch of 16), and resident memory grew with it to 4-8 GB in a CLI run and 22 GB in
    /// the training service. <c>data&lt;float&gt;().CopyFrom</c> avoided that but copied value by value, asking
    /// libtorch for the element count each time: a fifth of a quick EEG run's CPU (perf).
    /// </summary>
    internal static Tensor BatchTensor(float[] values, long[] shape)
    {
        var count = 1L;
        foreach (var size in shape)
        {
            count *= size;
        }
        var tensor = torch.empty(shape, ScalarType.Float32);
        MemoryMarshal.AsBytes(values.AsSpan(0, checked((int)count))).CopyTo(tensor.bytes);
        return tensor;
    }

    private static double TrainStep(ClassifierModel model, torch.optim.Optimizer optimizer, Batch batch, Device device)
    {
        using var fence = TorchGcFence.Enter();
        using var scope = torch.NewDisposeScope();
        var input = BatchTensor(batch.Inputs, [batch.Count, Channels, Height, Width]).to(device);
        var target = BatchTensor(batch.Targets, [batch.Count, EegClasses.Count]).to(device);
        optimizer.zero_grad();
        var loss = KlDivergenceLoss.Compute(model.call(input), target);
        loss.backward();
        optimizer.step();
        return loss.item<float>();
    }

    /// <summary>Mean over windows of KL(target || p): the validation loss in the training loss's terms.</summary>
    internal static double MeanKl(IReadOnlyList<TrainingWindow> windows, LabelTargets targets, float[] probabilities)
    {
        var total = 0.0;
        for (var i = 0; i < windows.Count; i++)
        {
            var target = windows[i].Target(targets);
            for (var c = 0; c < target.Length; c++)
            {
                if (target[c] > 0)
                {
                    // Same floor as the loss's log_softmax can reach in float32; keeps a hard zero finite.
                    var p = Math.Max(probabilities[i * target.Length + c], 1e-30);
                    total += target[c] * Math.Log(target[c] / p);
                }
            }
        }
        return total / windows.Count;
    }

    internal static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }
        return best;
    }

    /// <summary>The largest difference between two runs' probabilities of the same windows (NaN anywhere: infinity).</summary>
    internal static double LargestGap(float[] a, float[] b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"{a.Length} probabilities against {b.Length}");
        }
        var gap = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            var d = Math.Abs((double)a[i] - b[i]);
            gap = double.IsNaN(d) ? double.PositiveInfinity : Math.Max(gap, d);
        }
        return gap;
    }

    private static int StepsOf(int windows, int batch) => (windows + batch - 1) / batch;

    private static IReadOnlyList<TrainingWindow> Subsample(IReadOnlyList<TrainingWindow> windows, int? max, DeterministicRandom random)
    {
        if (max is not { } limit || limit >= windows.Count)
        {
            return windows;
        }
        var indices = Enumerable.Range(0, windows.Count).ToArray();
        random.Shuffle(indices.AsSpan());
        // Keep the file order among the chosen windows, so spectrograms are read in a cache-friendly order.
        return indices.Take(limit).Order().Select(i => windows[i]).ToArray();
    }

    internal sealed class Batch(int count)
    {
        public int Count { get; } = count;
        public float[] Inputs { get; } = new float[count * InputSize];
        public float[] Targets { get; } = new float[count * EegClasses.Count];
    }

    /// <summary>Two alternating sets of batch arrays per batch size: the one being filled and the one in use.</summary>
    public sealed class BatchBuffers
    {
        private readonly Dictionary<int, Batch>[] _slots = [[], []];
        private int _turn;

        internal Batch Next(int count)
        {
            var slot = _slots[_turn++ & 1];
            if (!slot.TryGetValue(count, out var batch))
            {
                slot[count] = batch = new Batch(count);
            }
            return batch;
        }
    }

    private static async Task<Batch> LoadBatchAsync(
        ITrainingWindowSource source,
        IReadOnlyList<TrainingWindow> windows,
        int[] order,
        int start,
        int count,
        LabelTargets targets,
        BatchBuffers buffers,
        CancellationToken ct)
    {
        var batch = buffers.Next(count);
        await Parallel.ForAsync(0, count, ct, async (i, token) =>
        {
            var window = windows[order[start + i]];
            await source.ReadWindowAsync(window.InputId, window.InputOffsetSeconds, batch.Inputs.AsMemory(i * InputSize, InputSize), token).ConfigureAwait(false);
            window.Target(targets).CopyTo(batch.Targets, i * EegClasses.Count);
        }).ConfigureAwait(false);
        return batch;
    }
}
