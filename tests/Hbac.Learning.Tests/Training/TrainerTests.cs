using Hbac.Eeg;
using Hbac.Eeg.Labels;
using Hbac.Eeg.Metrics;
using Hbac.Learning.Models;
using Hbac.Learning.Onnx;
using Hbac.Learning.Training;
using Hbac.Onnx;
using TorchSharp;

namespace Hbac.Learning.Tests.Training;

[Collection("Torch")]
public sealed class TrainerTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"hbac-trainer-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>MobileNetV3 at 1/8 resolution (50x37): seconds per run, same code path as a real run.</summary>
    private static TrainingOptions Tiny(int epochs, bool augment = false) => TrainingProfiles.Create("quick", "mobilenetv3") with
    {
        Epochs = epochs,
        BatchSize = 8,
        InputDownsample = 8,
        Threads = 2,
        MaxTrainWindows = null,
        MaxValidationWindows = null,
        Augmentation = augment ? new AugmentationOptions() : AugmentationOptions.None,
        LearningRateStart = 2e-3,
        LearningRateMaxPerSample = 2e-3 / 8,
        LearningRateMin = 2e-3,
        LearningRateRampEpochs = 1,
    };

    [Fact]
    public async Task LossDecreasesOnATinyOverfitSet()
    {
        var data = TinyData.Create(patients: 10, windowsPerPatient: 4);
        var result = await Trainer.RunAsync(data, Tiny(epochs: 6), Path.Combine(_folder, "run"));
        var losses = result.Card.Epochs.Select(e => e.TrainLoss).ToArray();
        // TinyData's votes put 0.75 on the class its input shows and 0.25 on a random other one, which no input
        // tells: a model that reads the class perfectly still scores 0.25 ln 5 = 0.40. Six epochs must close at
        // least half the gap from the first epoch's loss to that floor (how much more is up to the CPU's kernels:
        // 1.006 -> 0.573 on a Xeon with AVX-512 FP16, under half the first loss on others).
        var floor = 0.25 * Math.Log(5);
        Assert.True(losses[^1] < floor + 0.5 * (losses[0] - floor), $"train loss went {string.Join(" -> ", losses.Select(l => l.ToString("F3")))}; the floor is {floor:F3}");
    }

    [Fact]
    public void TheLayoutGapIsTheLargestProbabilityDifferenceAndNaNIsNoAgreement()
    {
        Assert.Equal(0.25, Trainer.LargestGap([0.5f, 0.25f, 0.25f], [0.5f, 0.5f, 0f]), 6);
        Assert.Equal(0, Trainer.LargestGap([0.1f], [0.1f]));
        Assert.Equal(double.PositiveInfinity, Trainer.LargestGap([float.NaN, 0f], [0.5f, 0f]));
        Assert.Throws<ArgumentException>(() => Trainer.LargestGap([0f], [0f, 1f]));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(1e-6, false)]
    [InlineData(1e-4, false)]
    [InlineData(3e-3, true)]
    [InlineData(double.PositiveInfinity, true)]
    public void ACardSaysChannelsLastDifferedOnlyAboveTheTolerance(double? gap, bool differed)
    {
        var card = new ModelCard
        {
            Model = "mobilenetv3",
            TrainableParameters = 1,
            NonTrainableParameters = 0,
            Classes = EegClasses.Names,
            InputShape = [3, 400, 300],
            Normalisation = "test",
            Data = new TrainingDataSummary("data", new string('0', 64), 4, 3, 1, 2, 1),
            Profile = "quick",
            HyperParameters = Tiny(epochs: 1),
            Epochs = [new EpochMetrics(0, 0.5, 0.6, 0.6, 1e-3, 10, 1, false)],
            BestEpoch = 0,
            BestValidationLoss = 0.6,
            BestValidationKaggleKl = 0.6,
            ClassPriorValidationKaggleKl = 1.3,
            Confusion = ConfusionMatrix.From(EegClasses.Names, [0], [0]),
            Device = "cpu",
            Threads = 1,
            WallTimeSeconds = 1,
            CreatedUtc = DateTimeOffset.UnixEpoch,
            ChannelsLastGap = gap,
        };
        Assert.Equal(differed, card.ChannelsLastDiffered);
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, "gap-card.json");
        card.Save(path);
        var loaded = ModelCard.Load(path);
        Assert.Equal(gap, loaded.ChannelsLastGap);
        Assert.DoesNotContain("channels_last_differed", File.ReadAllText(path));
    }

    [Fact]
    public async Task ADivergingRunFailsWithOneMessageSayingWhereAndWhatToTry()
    {
        // A learning rate of 1e6 blows a run up within a few steps, in either layout.
        var options = Tiny(epochs: 2) with { LearningRateStart = 1e6, LearningRateMaxPerSample = 1e6 / 8, LearningRateMin = 1e6 };
        foreach (var channelsLast in new[] { true, false })
        {
            var events = new List<TrainingEvent>();
            var e = await Assert.ThrowsAsync<TrainingDivergedException>(() =>
                Trainer.RunAsync(TinyData.Create(), options with { ChannelsLast = channelsLast }, Path.Combine(_folder, $"diverged-{channelsLast}"), new ListProgress(events)));
            Assert.Matches(@"^(the loss of epoch \d+, step \d+ is (NaN|-?∞|-?Infinity) \(learning rate 1\.00E\+006\)|epoch \d+'s validation probabilities are not finite \(window \d+: NaN\))$", e.Where);
            Assert.StartsWith($"training diverged: {e.Where}. ", e.Message);
            Assert.EndsWith("so run it again in a new process; if it diverges at the same point again, the recipe does, and a lower --lr may train", e.Message);
            Assert.Single(events.OfType<TrainingStarted>());
            Assert.DoesNotContain(events, ev => ev is TrainingEpochCompleted { Metrics.ValidationLoss: double.NaN });
        }
    }

    [Fact]
    public async Task BothConvolutionLayoutsTrainTheSameModelUpToRoundingAndTheCardSaysWhich()
    {
        var options = Tiny(epochs: 1);
        var nchw = await Trainer.RunAsync(TinyData.Create(), options with { ChannelsLast = false }, Path.Combine(_folder, "nchw"));
        var events = new List<TrainingEvent>();
        var channelsLast = await Trainer.RunAsync(TinyData.Create(), options, Path.Combine(_folder, "nhwc"), new ListProgress(events));
        Assert.Contains("\"channels_last\": false", File.ReadAllText(Path.Combine(nchw.RunFolder, RunFolderLayout.Card)));

        // Does this CPU's libtorch compute channels-last convolutions right for this model at the run's batch sizes?
        var started = Assert.IsType<TrainingStarted>(events[0]);
        var sizes = ChannelsLastCheck.BatchSizes(options.BatchSize, started.TrainWindows, started.ValidationWindows, started.FineTuneWindows);
        torch.manual_seed(options.Seed);
        using var probe = ModelCatalog.Create("mobilenetv3", 6, new ModelOptions { InputDownsample = 8 });
        var verdict = ChannelsLastCheck.Run(probe, sizes, 3, 400, 300, torch.CPU);
        // Where it does not, would running only the wrong convolutions NCHW mend it?
        var wrong = verdict.Agrees ? [] : ChannelsLastCheck.WrongConvolutions(probe, sizes, 3, 400, 300, torch.CPU);
        var mended = wrong.Count > 0 && probe.UseNchwFor(wrong) && ChannelsLastCheck.Run(probe, sizes, 3, 400, 300, torch.CPU).Agrees;
        var fallback = started.LayoutFallback;
        if (mended)
        {
            // Those convolutions ran NCHW, the others channels-last, and the card names them; the trained model scores as
            // its export does (the best epoch scored NCHW once more).
            Assert.Contains("whose channels-last kernels are wrong run NCHW, the others channels-last", fallback);
            Assert.Equal(string.Join(' ', wrong), channelsLast.Card.HyperParameters.NchwConvolutions);
            Assert.True(channelsLast.Card.HyperParameters.ChannelsLast);
            Assert.NotNull(channelsLast.Card.ChannelsLastGap);
            Assert.False(channelsLast.Card.ChannelsLastDiffered, $"channels-last differs from NCHW by {channelsLast.Card.ChannelsLastGap} at the trained weights");
            Assert.Equal(nchw.Card.Epochs[0].TrainLoss, channelsLast.Card.Epochs[0].TrainLoss, 2);
        }
        else if (verdict.Agrees)
        {
            // Same seed, same weights and batches: only the kernels' float rounding differs after one short epoch,
            // and it does differ (libtorch runs other kernels), which shows the option reached the model.
            Assert.Null(fallback);
            Assert.NotEqual(nchw.Card.Epochs[0].TrainLoss, channelsLast.Card.Epochs[0].TrainLoss);
            Assert.Equal(nchw.Card.Epochs[0].TrainLoss, channelsLast.Card.Epochs[0].TrainLoss, 2);
            Assert.Equal(nchw.Card.Epochs[0].ValidationLoss, channelsLast.Card.Epochs[0].ValidationLoss, 2);
            Assert.Contains("\"channels_last\": true", File.ReadAllText(Path.Combine(channelsLast.RunFolder, RunFolderLayout.Card)));
            // Scored once more NCHW at the best epoch, as the export computes: where the kernels are right, rounding apart.
            Assert.NotNull(channelsLast.Card.ChannelsLastGap);
            Assert.False(channelsLast.Card.ChannelsLastDiffered, $"channels-last differs from NCHW by {channelsLast.Card.ChannelsLastGap} at the trained weights");
            Assert.Equal(channelsLast.Card.Epochs[channelsLast.Card.BestEpoch].ValidationKaggleKl, channelsLast.Card.BestValidationKaggleKl);
        }
        else
        {
            // The run fell back to NCHW before its first step, said so, and is the NCHW run exactly: the check drew
            // nothing from the run's random streams.
            Assert.StartsWith("libtorch's channels-last convolutions disagree with its NCHW ones on this CPU", fallback);
            Assert.Equal(nchw.Card.Epochs[0].TrainLoss, channelsLast.Card.Epochs[0].TrainLoss);
            Assert.Equal(nchw.Card.Epochs[0].ValidationLoss, channelsLast.Card.Epochs[0].ValidationLoss);
            Assert.Contains("\"channels_last\": false", File.ReadAllText(Path.Combine(channelsLast.RunFolder, RunFolderLayout.Card)));
            Assert.Null(channelsLast.Card.ChannelsLastGap);
            Assert.Null(channelsLast.Card.HyperParameters.NchwConvolutions);
        }
        Assert.Null(nchw.Card.ChannelsLastGap);

        // A card written before the option existed describes an NCHW run, whatever today's default.
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(channelsLast.RunFolder, RunFolderLayout.Card)))!;
        json["hyper_parameters"]!["channels_last"] = true;
        var current = Path.Combine(_folder, "card.json");
        File.WriteAllText(current, json.ToJsonString());
        Assert.True(ModelCard.Load(current).HyperParameters.ChannelsLast);
        Assert.True(json["hyper_parameters"]!.AsObject().Remove("channels_last"));
        var old = Path.Combine(_folder, "old-card.json");
        File.WriteAllText(old, json.ToJsonString());
        Assert.False(ModelCard.Load(old).HyperParameters.ChannelsLast);
    }

    [Fact]
    public async Task SameSeedAndThreadsGiveIdenticalRuns()
    {
        var options = Tiny(epochs: 2, augment: true);
        var first = await Trainer.RunAsync(TinyData.Create(), options, Path.Combine(_folder, "a"));
        var second = await Trainer.RunAsync(TinyData.Create(), options, Path.Combine(_folder, "b"));
        Assert.Equal(first.Card.Epochs.Select(e => e.TrainLoss), second.Card.Epochs.Select(e => e.TrainLoss));
        Assert.Equal(first.Card.Epochs.Select(e => e.ValidationLoss), second.Card.Epochs.Select(e => e.ValidationLoss));

        var otherSeed = await Trainer.RunAsync(TinyData.Create(), options with { Seed = 7 }, Path.Combine(_folder, "c"));
        Assert.NotEqual(first.Card.Epochs[0].TrainLoss, otherSeed.Card.Epochs[0].TrainLoss);
    }

    [Fact]
    public async Task RunWritesEveryRunFolderFileAndExportsTheBestEpoch()
    {
        // 15 patients, so the validation fold holds 3: enough for the KL's interval over them.
        var data = TinyData.Create(patients: 15, windowsPerPatient: 3);
        var events = new List<TrainingEvent>();
        var runFolder = Path.Combine(_folder, "run");
        var result = await Trainer.RunAsync(data, Tiny(epochs: 2, augment: true), runFolder, new ListProgress(events));

        foreach (var file in RunFolderLayout.Files)
        {
            Assert.True(new FileInfo(Path.Combine(runFolder, file)).Length > 0, $"{file} missing or empty");
        }
        var png = File.ReadAllBytes(result.CurvesPath)[..4];
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png);

        var card = ModelCard.Load(result.CardPath);
        Assert.Equal("mobilenetv3", card.Model);
        Assert.Equal(2_977_718, card.TrainableParameters);
        Assert.Equal(24_400, card.NonTrainableParameters);
        Assert.Equal([3, 400, 300], card.InputShape);
        Assert.Equal("tiny-fingerprint-0123456789", card.Data.Fingerprint);
        Assert.Equal(2, card.Epochs.Count);
        var bestEpoch = card.Epochs.MinBy(e => e.ValidationLoss)!.Epoch;
        Assert.Equal(bestEpoch, card.BestEpoch);
        Assert.Equal(card.Data.ValidationWindows, card.Confusion.Total);
        // The best epoch's calibration against the votes, read back from card.json: every class of every window, and each top label.
        var calibration = Assert.IsType<ValidationCalibration>(card.Calibration);
        Assert.Equal(card.Data.ValidationWindows * 6, calibration.Classwise.Predictions);
        Assert.Equal(calibration.Classwise.Predictions, calibration.Classwise.Bins.Sum(b => b.Count));
        Assert.Equal(card.Data.ValidationWindows, calibration.TopLabel.Predictions);
        Assert.Equal(CalibrationKind.TopLabel, calibration.TopLabel.Kind);
        Assert.InRange(calibration.Classwise.ExpectedError, 1e-9, 1);
        // The best epoch's KL with its interval over the validation patients, read back from card.json.
        Assert.Equal(3, card.Data.ValidationPatients);
        var interval = Assert.IsType<Hbac.Eeg.Metrics.BootstrapInterval>(card.ValidationKlInterval);
        Assert.Equal(card.BestValidationKaggleKl, interval.Estimate, 6);
        Assert.Equal(3, interval.Groups);
        Assert.InRange(card.BestValidationKaggleKl, interval.Low, interval.High);
        Assert.True(interval.Low < interval.High, $"{interval}");
        Assert.Equal(45, card.Data.TrainWindows + card.Data.ValidationWindows);
        Assert.Equal(8, card.HyperParameters.InputDownsample);
        Assert.Equal(LabelTargets.Votes, card.HyperParameters.Labels);
        Assert.True(card.ClassPriorValidationKaggleKl > 0);

        // Progress: started, one step per batch (train + validation), one event per epoch, completed.
        var started = Assert.IsType<TrainingStarted>(events[0]);
        Assert.Equal(started.TotalSteps, events.OfType<TrainingStep>().Count());
        Assert.Equal(2, events.OfType<TrainingEpochCompleted>().Count());
        Assert.IsType<TrainingCompleted>(events[^1]);

        // model.onnx is the best checkpoint: ONNX Runtime agrees with TorchSharp on best.dat.
        using var classifier = OnnxClassifier.Open(result.OnnxPath);
        Assert.Contains("card_summary", classifier.Metadata.Keys);
        var window = data.Windows[0];
        var input = await data.Source.GetWindowAsync(window.SpectrogramId, window.OffsetSeconds);
        var onnx = classifier.Predict(input, 1)[0];
        using var model = ModelCatalog.Create("mobilenetv3", 6, new ModelOptions { InputDownsample = 8, WeightsPath = result.CheckpointPath });
        // The exported model sharpens by the profile's temperature; TorchSharp's prediction is told the same one.
        var torchProbabilities = await Trainer.PredictAsync(model, data.Source, [window], 1, torch.CPU, temperature: card.HyperParameters.OutputTemperature);
        for (var c = 0; c < 6; c++)
        {
            Assert.Equal(torchProbabilities[c], onnx[c], 4);
        }

        // And the card's best validation KL is what the exported model scores on the validation windows. Where
        // libtorch's channels-last kernels compute something else (ChannelsLastCheck), a run trained through them
        // validated far better than its exported model scored.
        var options = Tiny(epochs: 2, augment: true);
        var validation = FoldSplit.Create(data.Windows, options.Fold, options.FoldCount, options.FoldSeed).Validation;
        var predicted = new List<double>();
        foreach (var row in validation)
        {
            predicted.AddRange(classifier.Predict(await data.Source.GetWindowAsync(row.SpectrogramId, row.OffsetSeconds), 1)[0].Select(p => (double)p));
        }
        var exportedKl = KaggleKl.Score(validation.SelectMany(w => w.Votes.Select(v => (double)v)).ToArray(), predicted.ToArray(), 6);
        Assert.Equal(card.BestValidationKaggleKl, exportedKl, 4);
    }

    /// <summary>Every third window rated by 12 experts, the others by 2.</summary>
    private static TrainingData ManyVotesOnEveryThird(TrainingData data) =>
        data with { Windows = data.Windows.Select((w, i) => w with { ExpertVotes = i % 3 == 0 ? 12 : 2 }).ToArray() };

    [Fact]
    public async Task TheSecondStageTrainsOnTheWindowsWithManyVotesWithItsOwnScheduleAndTheBestEpochIsChosenOverBoth()
    {
        var data = ManyVotesOnEveryThird(TinyData.Create());
        var events = new List<TrainingEvent>();
        var options = Tiny(epochs: 2) with { FineTuneEpochs = 2, FineTuneMinVotes = 10, FineTuneLearningRate = 1e-3, FineTuneLearningRateMin = 1e-4 };
        var result = await Trainer.RunAsync(data, options, Path.Combine(_folder, "run"), new ListProgress(events));

        var split = FoldSplit.Create(data.Windows, 0, 5, 42, data.LabelsPath);
        var many = split.Train.Count(w => w.ExpertVotes >= 10);
        Assert.InRange(many, 1, split.Train.Count - 1);
        var started = Assert.IsType<TrainingStarted>(events[0]);
        Assert.Equal((2, many, (many + 7) / 8), (started.FineTuneEpochs, started.FineTuneWindows, started.FineTuneStepsPerEpoch));
        Assert.Equal(started.TotalSteps, events.OfType<TrainingStep>().Count());
        var trainingSteps = events.OfType<TrainingStep>().Where(s => !s.Validation).GroupBy(s => s.Epoch).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal([started.StepsPerEpoch, started.StepsPerEpoch, started.FineTuneStepsPerEpoch, started.FineTuneStepsPerEpoch],
            Enumerable.Range(0, 4).Select(e => trainingSteps[e]));

        var card = ModelCard.Load(result.CardPath);
        Assert.Equal([false, false, true, true], card.Epochs.Select(e => e.FineTune));
        // The second stage's own schedule (its first two epochs at the full rate, as the first stage's ramp and
        // cosine meet), not the first stage's decayed one.
        Assert.Equal([options.Schedule().At(0), options.Schedule().At(1), 1e-3, 1e-3], card.Epochs.Select(e => e.LearningRate));
        Assert.Equal(many, card.Data.FineTuneWindows);
        Assert.Equal(2, card.HyperParameters.FineTuneEpochs);
        Assert.Equal(card.Epochs.MinBy(e => e.ValidationLoss)!.Epoch, card.BestEpoch);
    }

    [Fact]
    public async Task TheSecondStageStartsFromTheFirstStagesBestWeights()
    {
        // BatchNorm frozen (no recalibration, momentum ~0) and a learning rate of ~0: a second-stage epoch changes
        // nothing, so it validates exactly as the first stage's best epoch did. The first stage's last epoch runs at
        // lr 0.05 (the cosine heads for 0.5), which wrecks the model, so the best epoch is an earlier one.
        var options = Tiny(epochs: 3) with
        {
            LearningRateMin = 0.5,
            FineTuneEpochs = 1, FineTuneMinVotes = 10, FineTuneLearningRate = 1e-15, FineTuneLearningRateMin = 1e-15,
            BatchNormRecalibrationBatches = 0, BatchNormMomentum = 1e-12,
        };
        var result = await Trainer.RunAsync(ManyVotesOnEveryThird(TinyData.Create()), options, Path.Combine(_folder, "run"));
        var epochs = result.Card.Epochs;
        var best = epochs.Take(3).MinBy(e => e.ValidationLoss)!;
        Assert.True(best.Epoch < 2, $"the first stage's last epoch was its best ({string.Join(", ", epochs.Select(e => e.ValidationLoss.ToString("F4")))}): the test cannot tell best from last");
        Assert.Equal(best.ValidationLoss, epochs[3].ValidationLoss, 5);
    }

    [Fact]
    public async Task WithoutAWindowRatedByEnoughExpertsThereIsNoSecondStageAndTheCardSaysSo()
    {
        var events = new List<TrainingEvent>();
        var options = Tiny(epochs: 1) with { FineTuneEpochs = 3, FineTuneMinVotes = 13 };
        var result = await Trainer.RunAsync(ManyVotesOnEveryThird(TinyData.Create()), options, Path.Combine(_folder, "run"), new ListProgress(events));
        var started = Assert.IsType<TrainingStarted>(events[0]);
        Assert.Equal((0, 0), (started.FineTuneEpochs, started.FineTuneWindows));
        Assert.Equal(started.TotalSteps, events.OfType<TrainingStep>().Count());
        Assert.Single(result.Card.Epochs);
        Assert.Equal(0, result.Card.Data.FineTuneWindows);
    }

    [Fact]
    public async Task WeightDecayPullsTheWeightsTowardsZero()
    {
        var plain = await Trainer.RunAsync(TinyData.Create(), Tiny(epochs: 1), Path.Combine(_folder, "plain"));
        var decayed = await Trainer.RunAsync(TinyData.Create(), Tiny(epochs: 1) with { WeightDecay = 1.0 }, Path.Combine(_folder, "decayed"));

        Assert.Equal(1.0, decayed.Card.HyperParameters.WeightDecay);
        Assert.True(SquaredNorm(decayed.CheckpointPath) < SquaredNorm(plain.CheckpointPath),
            $"squared weight norm {SquaredNorm(decayed.CheckpointPath)} with decay vs {SquaredNorm(plain.CheckpointPath)} without");
    }

    private static double SquaredNorm(string checkpoint)
    {
        using var model = ModelCatalog.Create("mobilenetv3", 6, new ModelOptions { InputDownsample = 8, WeightsPath = checkpoint });
        return model.parameters().Sum(p => p.square().sum().item<float>());
    }

    [Fact]
    public async Task ConsensusLabelsTrainOnOneHotTargets()
    {
        var result = await Trainer.RunAsync(TinyData.Create(), Tiny(epochs: 1) with { Labels = LabelTargets.Consensus }, Path.Combine(_folder, "run"));
        Assert.Equal(LabelTargets.Consensus, result.Card.HyperParameters.Labels);
        // One-hot targets: the validation loss is the mean -log p(consensus), not the vote KL.
        Assert.NotEqual(result.Card.Epochs[0].ValidationLoss, result.Card.Epochs[0].ValidationKaggleKl);
    }

    [Fact]
    public async Task PooledLabelsTrainOnTheirEegsVotesButValidateOnEachRowsOwn()
    {
        var data = TinyData.Create();
        var result = await Trainer.RunAsync(data, Tiny(epochs: 1) with { Labels = LabelTargets.PooledVotes }, Path.Combine(_folder, "run"));
        Assert.Equal(LabelTargets.PooledVotes, result.Card.HyperParameters.Labels);
        // Validation rows keep their own votes: the validation loss is the Kaggle KL against them.
        Assert.Equal(result.Card.Epochs[0].ValidationKaggleKl, result.Card.Epochs[0].ValidationLoss, 4);
        Assert.Contains("labels=pooled", result.Card.Summary());
    }

    [Fact]
    public async Task UnknownModelIsOneClearMessage()
    {
        var e = await Assert.ThrowsAsync<EegDataException>(() =>
            Trainer.RunAsync(TinyData.Create(), Tiny(1) with { Model = "resnet50" }, Path.Combine(_folder, "run")));
        Assert.Equal("--model: unknown model 'resnet50' (known: mobilenetv3, efficientnetv2b2)", e.Message);
    }

    [Fact]
    public async Task EmptyDatasetIsOneClearMessage()
    {
        var empty = TinyData.Create() with { Windows = [] };
        var e = await Assert.ThrowsAsync<EegDataException>(() => Trainer.RunAsync(empty, Tiny(1), Path.Combine(_folder, "run")));
        Assert.Equal("tiny/train.csv: no labelled windows to train on", e.Message);
    }

    [Fact]
    public async Task FoldWithoutValidationRowsIsOneClearMessage()
    {
        var e = await Assert.ThrowsAsync<EegDataException>(() =>
            Trainer.RunAsync(TinyData.Create(patients: 2), Tiny(1) with { Fold = 3 }, Path.Combine(_folder, "run")));
        Assert.StartsWith("tiny/train.csv: 2 patient(s) cannot fill 5 folds", e.Message);
    }

    [Fact]
    public async Task CorruptWeightsFileIsOneClearMessage()
    {
        Directory.CreateDirectory(_folder);
        var weights = Path.Combine(_folder, "garbage.dat");
        await File.WriteAllBytesAsync(weights, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        var e = await Assert.ThrowsAsync<ModelFileException>(() =>
            Trainer.RunAsync(TinyData.Create(), Tiny(1) with { InitialWeights = weights }, Path.Combine(_folder, "run")));
        Assert.StartsWith($"{weights}: not TorchSharp weights", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task CancellationStopsTheRun()
    {
        using var cancel = new CancellationTokenSource();
        var progress = new ListProgress([], e =>
        {
            if (e is TrainingStep)
            {
                cancel.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Trainer.RunAsync(TinyData.Create(), Tiny(3), Path.Combine(_folder, "run"), progress, cancel.Token));
    }

    private sealed class ListProgress(List<TrainingEvent> events, Action<TrainingEvent>? also = null) : IProgress<TrainingEvent>
    {
        public void Report(TrainingEvent value)
        {
            events.Add(value);
            also?.Invoke(value);
        }
    }
}
