using System.CommandLine;
using System.Globalization;
using Hbac.Learning.Models;
using Hbac.Learning.Training;
using Hbac.Onnx;
using Spectre.Console;

namespace Hbac.Cli.Commands;

/// <summary><c>hbac train</c>: trains a model on a Kaggle-format folder and writes a run folder.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Kaggle-format folder (train.csv, train_spectrograms/)", Required = true };
        var model = new Option<string>("--model") { Description = $"Architecture: {string.Join(" | ", ModelCatalog.Names)}", Required = true };
        var profile = new Option<string>("--profile") { Description = "seed (the seed's recipe) | quick (minutes on the synthetic data)", DefaultValueFactory = _ => "seed" };
        var epochs = new Option<int?>("--epochs") { Description = "Override the profile's epoch count" };
        var batch = new Option<int?>("--batch") { Description = "Override the profile's batch size" };
        var fold = new Option<int?>("--fold") { Description = "Validation fold of StratifiedGroupKFold(5, seed 42) (default 0)" };
        var labels = new Option<string?>("--labels") { Description = "Targets: votes (distribution, default) | consensus (one-hot) | pooled (votes added over the rows of each EEG)" };
        var seed = new Option<int?>("--seed") { Description = "Seed for weights, shuffles and augmentation (default 42)" };
        var threads = new Option<int?>("--threads") { Description = "torch threads (default: the profile's: all cores for seed, 1 for quick)" };
        var spectrograms = new Option<string?>("--spectrograms") { Description = "Folder of <id>.parquet or <id>.npy (default <data>/train_spectrograms); with --input eeg, of <eeg_id>.parquet (default <data>/train_eegs)" };
        var downsample = new Option<string?>("--downsample") { Description = "Average-pool the input by this factor inside the model: k, or ROWSxCOLUMNS (1 = full 400x300; quick uses 6, or 1x30 with --input eeg)" };
        var peakLr = new Option<double?>("--lr") { Description = "Peak learning rate after ramp-up (default: the profile's, 6e-6 x batch for seed)" };
        var weightDecay = new Option<double?>("--weight-decay") { Description = "Adam's L2 weight decay (default: the profile's, 0)" };
        var augment = new Option<double?>("--augment") { Description = "Probability of each augmentation per batch (MixUp, time mask, frequency mask; default 0.5)" };
        var temperature = new Option<double?>("--temperature") { Description = "Softmax temperature of validation and the exported model, softmax(logits / T) (default: the profile's; 1 for seed)" };
        var fineTuneEpochs = new Option<int?>("--fine-tune-epochs")
        {
            Description = "Epochs of a second stage from the best weights on the training windows with many votes (default: the profile's; quick 12, seed 0)",
        };
        var fineTuneMinVotes = new Option<int?>("--fine-tune-min-votes") { Description = "Fewest expert votes a window needs for the second stage (default 10)" };
        var weights = new Option<string?>("--weights") { Description = "Initial weights: TorchSharp .dat or a model.onnx of this project" };
        var layout = new Option<string>("--layout")
        {
            Description = "Memory layout of the convolutions: channels-last (oneDNN's NHWC kernels, about twice as fast on a CPU) | nchw (reproduces runs made before channels-last became the default)",
            DefaultValueFactory = _ => "channels-last",
        };
        layout.AcceptOnlyFromAmong("channels-last", "nchw");
        var input = new Option<string>("--input")
        {
            Description = "What the model reads: spectrogram (the 600-s Kaggle spectrogram window) | eeg (the 50-s raw EEG window of train_eegs/, for streams)",
            DefaultValueFactory = _ => "spectrogram",
        };
        var output = new Option<string>("--out") { Description = "Run folder to write (model.onnx, card.json, curves.png, confusion.png, calibration.png, best.dat)", Required = true };

        var command = new Command("train", "Train a model on spectrogram or EEG windows (KL loss, Adam, the seed's schedule) and write a run folder.");
        foreach (var option in new Option[] { data, input, model, profile, epochs, batch, fold, labels, seed, threads, downsample, peakLr, weightDecay, augment, temperature, fineTuneEpochs, fineTuneMinVotes, spectrograms, weights, layout, output })
        {
            command.Options.Add(option);
        }
        command.SetAction((parseResult, ct) => CliGuard.RunAsync(async () =>
        {
            var kind = ParseInput(parseResult.GetValue(input)!);
            var pool = parseResult.GetValue(downsample) is { } d ? ParseDownsample(d) : ((int, int?)?)null;
            var options = new TrainingOverrides
            {
                InputDownsample = pool?.Item1,
                InputDownsampleColumns = pool?.Item2,
                AugmentationProbability = parseResult.GetValue(augment),
                OutputTemperature = parseResult.GetValue(temperature),
                PeakLearningRate = parseResult.GetValue(peakLr),
                WeightDecay = parseResult.GetValue(weightDecay),
                Epochs = parseResult.GetValue(epochs),
                BatchSize = parseResult.GetValue(batch),
                Fold = parseResult.GetValue(fold),
                Labels = parseResult.GetValue(labels) is { } l ? LabelTargetsParser.Parse(l) : null,
                Seed = parseResult.GetValue(seed),
                Threads = parseResult.GetValue(threads),
                InitialWeights = parseResult.GetValue(weights),
                ChannelsLast = parseResult.GetValue(layout) == "channels-last",
                FineTuneEpochs = parseResult.GetValue(fineTuneEpochs),
                FineTuneMinVotes = parseResult.GetValue(fineTuneMinVotes),
            }.ApplyTo(TrainingProfiles.Create(parseResult.GetValue(profile)!, parseResult.GetValue(model)!, kind));
            options.Validate();
            if (!ModelCatalog.Names.Contains(options.Model.Trim().ToLowerInvariant()))
            {
                throw new CliUsageException($"--model: unknown model '{options.Model}' (known: {string.Join(", ", ModelCatalog.Names)})");
            }
            var trainingData = KaggleTrainingData.Open(parseResult.GetValue(data)!, parseResult.GetValue(spectrograms), kind);
            var result = await TrainingConsole.RunWithProgressAsync(trainingData, options, parseResult.GetValue(output)!, ct);
            var card = result.Card;
            if (card.ChannelsLastDiffered)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"warning: the best epoch's validation probabilities channels-last differ from NCHW's by up to {card.ChannelsLastGap:0.###E+0}: libtorch's channels-last kernels are wrong on this CPU at the trained weights; the best-epoch numbers below are NCHW's (what model.onnx computes), the per-epoch ones channels-last's (--layout nchw avoids them)"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"best epoch {card.BestEpoch + 1}: validation loss {card.BestValidationLoss:F4}, Kaggle KL {card.BestValidationKaggleKl:F4} " +
                $"(class prior {card.ClassPriorValidationKaggleKl:F4}); wall time {card.WallTimeSeconds:F0} s; wrote {result.RunFolder}"));
            return 0;
        }));
        return command;
    }

    /// <summary>"4" (square) or "5x6" (rows x columns).</summary>
    public static (int Rows, int? Columns) ParseDownsample(string value)
    {
        var parts = value.Split('x', 'X');
        var factors = parts.Select(p => int.TryParse(p.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var k) && k >= 1 ? k : 0).ToArray();
        if (parts.Length is < 1 or > 2 || factors.Contains(0))
        {
            throw new CliUsageException($"--downsample: '{value}' is not a factor >= 1 or ROWSxCOLUMNS (e.g. 8 or 1x30)");
        }
        return (factors[0], factors.Length == 2 ? factors[1] : null);
    }

    public static ModelInputKind ParseInput(string value)
    {
        try
        {
            return ModelInputKinds.Parse(value);
        }
        catch (ArgumentException exception)
        {
            throw new CliUsageException($"--input: {exception.Message}");
        }
    }
}

/// <summary>Draws a run's <see cref="TrainingEvent"/>s as a Spectre progress bar with ETA and one line per epoch.</summary>
internal static class TrainingConsole
{
    /// <summary>A Spectre console on the writer current now (not the one captured when AnsiConsole was first used).</summary>
    public static IAnsiConsole On(TextWriter writer) =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });

    public static async Task<TrainingResult> RunWithProgressAsync(TrainingData data, TrainingOptions options, string runFolder, CancellationToken ct)
    {
        var console = On(Console.Out);
        TrainingResult? result = null;
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                ProgressTask? bar = null;
                var progress = new SynchronousProgress<TrainingEvent>(e =>
                {
                    switch (e)
                    {
                        case TrainingStarted s:
                            console.MarkupLineInterpolated(
                                $"{s.Model} on {s.Device}: {s.TrainWindows} training / {s.ValidationWindows} validation windows, {s.Epochs} epochs x {s.StepsPerEpoch} steps");
                            if (options.FineTuneEpochs > 0)
                            {
                                console.WriteLine(s.FineTuneEpochs > 0
                                    ? string.Create(CultureInfo.InvariantCulture,
                                        $"then {s.FineTuneEpochs} epochs x {s.FineTuneStepsPerEpoch} steps on the {s.FineTuneWindows} training windows with at least {options.FineTuneMinVotes} votes")
                                    : $"no second stage: no training window has at least {options.FineTuneMinVotes} votes");
                            }
                            if (s.LayoutFallback is not null)
                            {
                                console.WriteLine($"warning: {s.LayoutFallback}");
                            }
                            bar = context.AddTask("training", maxValue: s.TotalSteps);
                            break;
                        case TrainingStep step when bar is not null:
                            bar.Value = step.CompletedSteps;
                            bar.Description = step.Validation
                                ? string.Create(CultureInfo.InvariantCulture, $"epoch {step.Epoch + 1} validating")
                                : string.Create(CultureInfo.InvariantCulture, $"epoch {step.Epoch + 1} loss {step.Loss:F3} {step.ImagesPerSecond:F1} img/s");
                            break;
                        case TrainingEpochCompleted done:
                            var m = done.Metrics;
                            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                $"epoch {m.Epoch + 1,3}{(m.FineTune ? "+" : " ")} lr {m.LearningRate:E2}  train {m.TrainLoss:F4}  val {m.ValidationLoss:F4}  val KL {m.ValidationKaggleKl:F4}  {m.ImagesPerSecond:F1} img/s  {m.Seconds:F0} s{(done.IsBest ? "  *best" : "")}"));
                            break;
                    }
                });
                result = await Trainer.RunAsync(data, options, runFolder, progress, ct);
                if (bar is not null)
                {
                    bar.Value = bar.MaxValue;
                }
            });
        return result!;
    }
}

/// <summary>Invokes the handler on the reporting thread (Progress&lt;T&gt; would post to the thread pool out of order).</summary>
internal sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
