using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Hbac.Eeg.Synthetic;
using Spectre.Console;

namespace Hbac.Cli.Commands;

/// <summary>
/// <c>hbac synth --out &lt;folder&gt; [--patients N] [--seed S]</c>: writes the synthetic Kaggle-format dataset;
/// with <c>--recordings N [--hours H]</c>, long continuous EDF+ recordings with events at known times and
/// their truth files instead (for <c>hbac report --truth</c>).
/// </summary>
internal static class SynthCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out")
        {
            Description = "Folder to write (created; must be empty or a previous synth output)",
            Required = true,
        };
        var patients = new Option<int>("--patients")
        {
            Description = "Number of patients (about 1 in 8 go to the test split)",
            DefaultValueFactory = _ => SyntheticOptions.DefaultPatients,
        };
        var seed = new Option<ulong>("--seed")
        {
            Description = "Random seed: the same seed gives the same files",
            DefaultValueFactory = _ => SyntheticOptions.DefaultSeed,
        };
        var recordings = new Option<int?>("--recordings")
        {
            Description = "Write this many long continuous EDF+ recordings (with <name>.truth.csv) instead of the Kaggle-format dataset",
        };
        var hours = new Option<double>("--hours")
        {
            Description = "Length of each --recordings recording in hours",
            DefaultValueFactory = _ => 2,
        };
        var rate = new Option<int>("--rate")
        {
            Description = "Sample rate of the --recordings files in Hz (synthesised at 200 Hz and resampled; e.g. 256 as most clinical systems record)",
            DefaultValueFactory = _ => 200,
        };
        var command = new Command("synth",
            "Generate a synthetic Kaggle-format dataset (train.csv, train_eegs/, train_spectrograms/, test.csv, test_eegs/, " +
            "test_spectrograms/, truth.csv with the true class distributions the votes were drawn from).");
        command.Options.Add(output);
        command.Options.Add(patients);
        command.Options.Add(seed);
        command.Options.Add(recordings);
        command.Options.Add(hours);
        command.Options.Add(rate);
        command.SetAction((parseResult, cancellationToken) => CliGuard.RunAsync(async () =>
        {
            if (parseResult.GetValue(recordings) is { } count)
            {
                var longOptions = new LongRecordingOptions
                {
                    OutputFolder = parseResult.GetValue(output)!,
                    Recordings = count,
                    Hours = parseResult.GetValue(hours),
                    SampleRateHz = parseResult.GetValue(rate),
                    // --seed's default (42) for both kinds: what `hbac synth --recordings 4 --hours 2` has always written.
                    Seed = parseResult.GetValue(seed),
                };
                if (count is < 1 or > 1000)
                {
                    throw new CliUsageException($"--recordings: {count} is out of range (1 to 1000)");
                }
                if (longOptions.Hours is not (>= 0.05 and <= 72))
                {
                    throw new CliUsageException($"--hours: {longOptions.Hours} is out of range (0.05 to 72)");
                }
                if (longOptions.SampleRateHz is < 100 or > 4096)
                {
                    throw new CliUsageException($"--rate: {longOptions.SampleRateHz} Hz is out of range (100 to 4096)");
                }
                return await Task.Run(() => GenerateLong(longOptions, cancellationToken), cancellationToken);
            }
            if (parseResult.GetResult(rate) is { Implicit: false })
            {
                throw new CliUsageException("--rate: only with --recordings (the Kaggle-format EEGs are 200 Hz, as Kaggle's)");
            }
            var options = new SyntheticOptions
            {
                OutputFolder = parseResult.GetValue(output)!,
                Patients = parseResult.GetValue(patients),
                Seed = parseResult.GetValue(seed),
            };
            if (options.Patients is < 2 or > 10_000)
            {
                throw new CliUsageException($"--patients: {options.Patients} is out of range (2 to 10000)");
            }
            var stopwatch = Stopwatch.StartNew();
            var summary = await Task.Run(() => Generate(options, cancellationToken), cancellationToken);
            var seconds = stopwatch.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
            Console.WriteLine(
                $"wrote {summary.OutputFolder}: {summary.TrainRows} train rows ({summary.TrainEegs} EEGs, " +
                $"{summary.TrainSpectrograms} spectrograms, {summary.Patients} patients), {summary.TestRows} test EEGs in {seconds} s");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"best achievable KL (truth) {summary.BestAchievableTrainKl:0.0000}, class-prior KL {summary.ClassPriorTrainKl:0.0000}"));
            return 0;
        }));
        return command;
    }

    private static int GenerateLong(LongRecordingOptions options, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        IReadOnlyList<LongRecordingSummary> written = [];
        StderrProgress.Create().Start(context =>
        {
            var task = context.AddTask("synthesising long recordings");
            written = LongRecordings.Generate(options, new SynchronousProgress(task), cancellationToken);
        });
        foreach (var r in written)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.EdfPath}: {r.Hours:0.##} h EDF+C, {Counted.Of(r.Seizures, "seizure")} and {Counted.Of(r.OtherEvents, "other event")} in {r.TruthPath}"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {Counted.Of(written.Count, "recording")} ({Counted.Of(written.Sum(r => r.Seizures), "seizure")}, {Counted.Of(written.Sum(r => r.OtherEvents), "other event")}) in {stopwatch.Elapsed.TotalSeconds:0.0} s"));
        return 0;
    }

    /// <summary>Runs the generator under a progress bar on stderr (stdout carries the summary).</summary>
    private static SyntheticDatasetSummary Generate(SyntheticOptions options, CancellationToken cancellationToken)
    {
        SyntheticDatasetSummary? summary = null;
        StderrProgress.Create().Start(context =>
        {
            var task = context.AddTask("synthesising recordings");
            summary = SyntheticDataset.Generate(options, new SynchronousProgress(task), cancellationToken);
        });
        return summary!;
    }

    /// <summary>Updates the bar on the reporting thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    private sealed class SynchronousProgress(ProgressTask task) : IProgress<SyntheticProgress>
    {
        private readonly Lock _gate = new();

        public void Report(SyntheticProgress value)
        {
            lock (_gate)
            {
                task.MaxValue = Math.Max(1, value.TotalRecordings);
                task.Value = Math.Max(task.Value, value.CompletedRecordings);
            }
        }
    }
}
