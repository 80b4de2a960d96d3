using System.CommandLine;
using System.Globalization;
using System.Text;
using Hbac.Cli.Benchmarks;
using Hbac.Eeg.Metrics;
using Hbac.Learning.Benchmarks;
using Hbac.Learning.Models;
using Hbac.Learning.Training;
using Hbac.Onnx;

namespace Hbac.Cli.Commands;

/// <summary>
/// <c>hbac bench train</c>: what a training step costs per window on the quick profiles' inputs and the full
/// 400x300 input, with the convolutions on NCHW and on channels-last tensors (<see cref="ModelOptions.ChannelsLast"/>),
/// in one process and in alternating rounds so that both layouts see the same machine, and whether channels-last computes
/// what NCHW does there (<see cref="ChannelsLastCheck"/>, at the benchmark's batch and threads). The AppHost's time to
/// <c>ready</c> is mostly these steps.
/// </summary>
internal static class BenchTrainCommand
{
    public static Command Create()
    {
        var models = new Option<string>("--models") { Description = "Comma-separated architectures", DefaultValueFactory = _ => MobileNetV3Large.CatalogId };
        var batch = new Option<int>("--batch") { Description = "Batch size (the quick profile's is 16)", DefaultValueFactory = _ => 16 };
        var steps = new Option<int>("--steps") { Description = "Timed training steps per variant and round (after one warm-up step)", DefaultValueFactory = _ => 4 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds over all variants; the table shows each variant's median round", DefaultValueFactory = _ => 3 };
        var threads = new Option<int>("--threads") { Description = "torch threads (the quick profile trains on 1)", DefaultValueFactory = _ => 1 };
        var output = (new Option<string?>("--out") { Description = "Also write the Markdown table to this file" }).MustNotBeAFolder();
        var command = new Command("train", "Training step ms per window of the quick profiles' inputs (spectrogram, EEG) and the full 400x300, NCHW vs channels-last convolutions");
        foreach (var option in new Option[] { models, batch, steps, rounds, threads, output })
        {
            command.Options.Add(option);
        }
        command.SetAction((parseResult, ct) => CliGuard.Run(() =>
        {
            var names = BenchModelsCommand.ParseNames(parseResult.GetValue(models)!);
            var batchSize = BenchModelsCommand.Positive(parseResult.GetValue(batch), "--batch");
            var stepCount = BenchModelsCommand.Positive(parseResult.GetValue(steps), "--steps");
            var roundCount = BenchModelsCommand.Positive(parseResult.GetValue(rounds), "--rounds");
            var threadCount = BenchModelsCommand.Positive(parseResult.GetValue(threads), "--threads");
            TorchSharp.torch.set_num_threads(threadCount);
            Hbac.Learning.Torch.Nnpack.DisableWhereUnavailable();

            // A layout's speed means nothing where its kernels compute something else. Where channels-last disagrees, a run
            // trains with the wrong convolutions NCHW if that mends it (else all NCHW): that variant is timed too.
            var variants = new List<Variant>();
            foreach (var variant in Variants(names))
            {
                if (!variant.Options.ChannelsLast)
                {
                    variants.Add(variant);
                    continue;
                }
                var choice = Check(variant, batchSize);
                variants.Add(variant with { Verdict = choice.Verdict });
                if (choice.Mended is { } mended)
                {
                    variants.Add(variant with { Verdict = mended, NchwConvolutions = choice.NchwConvolutions });
                }
            }
            var timings = variants.Select(_ => new List<TorchTiming>()).ToList();
            var loadBefore = BenchmarkChild.LoadAverage();
            StderrProgress.Create().Start(context =>
            {
                var task = context.AddTask("bench train", maxValue: roundCount * variants.Count);
                for (var round = 0; round < roundCount; round++)
                {
                    for (var i = 0; i < variants.Count; i++)
                    {
                        ct.ThrowIfCancellationRequested();
                        var variant = variants[i];
                        task.Description = $"round {round + 1}/{roundCount}: {variant.Model} {variant.Input} {variant.Layout}";
                        timings[i].Add(ModelBenchmark.MeasureTorch(variant.Model, batchSize, stepCount, options: variant.Options, nchwConvolutions: variant.NchwConvolutions));
                        task.Increment(1);
                    }
                }
            });

            var table = Table(variants, timings, batchSize, threadCount, roundCount);
            Console.Write(table);
            Console.WriteLine($"cores: {Environment.ProcessorCount}, 1-minute load average at start/end: {loadBefore}/{BenchmarkChild.LoadAverage()}");
            if (parseResult.GetValue(output) is { } path)
            {
                File.WriteAllText(path, table);
            }
            return 0;
        }));
        return command;
    }

    private sealed record Variant(string Model, string Input, ModelOptions Options)
    {
        /// <summary>ChannelsLastCheck's verdict on this variant (null for NCHW, the reference).</summary>
        public ChannelsLastVerdict? Verdict { get; init; }

        public IReadOnlyList<string>? NchwConvolutions { get; init; }

        public string Layout => (Options.ChannelsLast, NchwConvolutions) switch
        {
            (false, _) => "NCHW",
            (true, null) => "channels-last",
            (true, { } nchw) => $"channels-last, {nchw.Count} wrong ones NCHW",
        };
    }

    /// <summary>Each model on each quick profile's input and on the seed profile's full 400x300, NCHW first, then channels-last.</summary>
    private static IEnumerable<Variant> Variants(string[] models)
    {
        foreach (var model in models)
        {
            var inputs = new[] { ModelInputKind.Spectrogram, ModelInputKind.Eeg }
                .Select(kind => (Name: kind.ToString().ToLowerInvariant(), Quick: TrainingProfiles.Create("quick", model, kind)))
                .Select(input => (input.Name, Rows: input.Quick.InputDownsample, Columns: input.Quick.InputDownsampleColumns ?? input.Quick.InputDownsample))
                .Append((Name: "full (seed profile)", Rows: 1, Columns: 1));
            foreach (var (name, rows, columns) in inputs)
            {
                var input = $"{name} {ModelBenchmark.Height / rows}x{ModelBenchmark.Width / columns}";
                var options = new ModelOptions { InputDownsample = rows, InputDownsampleColumns = columns };
                yield return new Variant(model, input, options with { ChannelsLast = false });
                yield return new Variant(model, input, options);
            }
        }
    }

    private static string Verdict(ChannelsLastVerdict? verdict) => verdict switch
    {
        null => "reference",
        { Agrees: true } => string.Create(CultureInfo.InvariantCulture, $"yes ({verdict.Severity:0.###})"),
        _ => string.Create(CultureInfo.InvariantCulture, $"**no** ({verdict.Severity:0.#})"),
    };

    /// <summary>The check as a run makes it (<see cref="ChannelsLastCheck.Choose"/>), at the benchmark's batch.</summary>
    private static ChannelsLastChoice Check(Variant variant, int batch)
    {
        TorchSharp.torch.manual_seed(0);
        using var model = ModelCatalog.Create(variant.Model, options: variant.Options);
        return ChannelsLastCheck.Choose(model, [batch], 3, ModelBenchmark.Height, ModelBenchmark.Width, TorchSharp.torch.CPU)!;
    }

    private static string Table(List<Variant> variants, List<List<TorchTiming>> timings, int batch, int threads, int rounds)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| model | input inside the network | convolution layout | forward ms/window | training step ms/window | training windows/s | training time vs NCHW | same results as NCHW (gap / tolerance) |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        for (var i = 0; i < variants.Count; i++)
        {
            var variant = variants[i];
            var forward = Statistics.Median(timings[i].Select(t => t.ForwardMsPerImage));
            var train = Statistics.Median(timings[i].Select(t => t.TrainStepMsPerImage));
            var nchw = variants.FindIndex(v => v.Model == variant.Model && v.Input == variant.Input && !v.Options.ChannelsLast);
            var ratio = train / Statistics.Median(timings[nchw].Select(t => t.TrainStepMsPerImage));
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {variant.Model} | {variant.Input} | {variant.Layout} | {forward:0.0} | {train:0.0} | {1000 / train:0.0} | {ratio:0.00}x | {Verdict(variant.Verdict)} |");
        }
        if (variants.Any(v => v.Verdict is { Agrees: false }))
        {
            text.AppendLine("no: libtorch's channels-last kernels compute something else on this CPU for that input (ChannelsLastCheck); a training run there runs the wrong convolutions NCHW where that mends it (the rows that say so), else all of them.");
        }
        text.AppendLine(CultureInfo.InvariantCulture,
            $"batch {batch}, {threads} torch thread(s), median of {rounds} round(s); a training step is forward, KL loss, backward and an Adam step on random input.");
        return text.ToString();
    }
}
