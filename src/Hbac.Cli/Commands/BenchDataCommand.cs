using System.CommandLine;
using Hbac.Cli.Benchmarks;
using Hbac.Eeg.Formats.Npy;
using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Montage;
using Hbac.Eeg.Randomness;
using Hbac.Eeg.Spectrograms;
using Hbac.Eeg.Windows;
using Spectre.Console;

namespace Hbac.Cli.Commands;

/// <summary>
/// <c>hbac bench data</c>: the EEG -> spectrogram transform on one hour of 20-channel EEG for each kernel and
/// thread count (target: &lt;= 30 ms on 2 cores) and streamed in 1-s chunks; then reading a 300-row
/// spectrogram parquet and converting it to .npy bytes (target: &lt;= 5 ms once warm), and the window decode.
/// </summary>
internal static class BenchDataCommand
{
    public static Command Create()
    {
        var runs = new Option<int>("--runs") { Description = "Measured runs per variant", DefaultValueFactory = _ => 15 };
        var warmup = new Option<int>("--warmup") { Description = "Unmeasured warm-up runs per variant", DefaultValueFactory = _ => 3 };
        var hours = new Option<double>("--hours") { Description = "Length of the synthetic EEG in hours", DefaultValueFactory = _ => 1.0 };
        var spectrogramFile = new Option<string?>("--spectrogram")
        {
            Description = "Spectrogram parquet to time (default: Kaggle's test spectrogram from ../shared/data if found, else a generated 300-row file)",
        };
        var command = new Command("data", "Time EEG -> spectrogram (scalar vs SIMD, 1 vs all threads, streamed) on synthetic EEG.");
        command.Options.Add(runs);
        command.Options.Add(warmup);
        command.Options.Add(hours);
        command.Options.Add(spectrogramFile);
        command.SetAction((parseResult, ct) => CliGuard.RunAsync(async () =>
        {
            var runCount = parseResult.GetValue(runs);
            var warmupCount = parseResult.GetValue(warmup);
            var length = parseResult.GetValue(hours);
            if (runCount < 1 || warmupCount < 0 || length <= 0)
            {
                throw new CliUsageException("--runs must be >= 1, --warmup >= 0 and --hours > 0");
            }
            var spectrogramPath = parseResult.GetValue(spectrogramFile);
            if (spectrogramPath is not null && !File.Exists(spectrogramPath))
            {
                throw new FileNotFoundException("not found", spectrogramPath);
            }
            RunSpectrogram(runCount, warmupCount, length, ct);
            RunEegWindow(runCount * 4, warmupCount * 4, ct);
            await RunFilesAsync(runCount * 4, warmupCount * 4, spectrogramPath, ct);
            return 0;
        }));
        return command;
    }

    private static void RunSpectrogram(int runs, int warmup, double hours, CancellationToken ct)
    {
        var samples = (int)Math.Round(hours * 3600 * KaggleMontage.SampleRateHz);
        var recording = NoiseRecording(samples, seed: 1);
        var interleaved = Interleave(recording);
        var threads = Environment.ProcessorCount;
        var label = hours == 1 ? "1 h" : $"{hours:0.##} h";
        var variants = new (string Name, Action Work)[]
        {
            ("scalar, 1 thread", () => EegSpectrogram.Compute(recording, SpectrogramKernel.Scalar, 1)),
            ("SIMD, 1 thread", () => EegSpectrogram.Compute(recording, SpectrogramKernel.Vectorized, 1)),
            ($"scalar, {threads} threads", () => EegSpectrogram.Compute(recording, SpectrogramKernel.Scalar, threads)),
            ($"SIMD, {threads} threads", () => EegSpectrogram.Compute(recording, SpectrogramKernel.Vectorized, threads)),
            ("SIMD, 1 thread, streamed 1-s chunks", () => Stream(interleaved, recording.Channels.Count)),
        };

        var results = MeasureAll(variants, warmup, runs, ct);

        WriteTable($"EEG -> spectrogram of {label}: {samples:N0} samples x 20 channels ({EegSpectrogram.ColumnCount(samples)} columns), {runs} runs after {warmup} warm-up",
            "variant", results, "F1", speedUp: true);
        AnsiConsole.MarkupLine("[grey]speed-up: median wall time of scalar 1 thread / this variant's; CPU ms: process CPU time per run, all threads[/]");
        AnsiConsole.MarkupLine($"[grey]target: <= 30 ms per hour of 20-channel EEG on 2 cores; SIMD hardware acceleration: {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}; cores: {threads}[/]");
    }

    /// <summary>
    /// The EEG-window model's input: one 50-s window computed from its raw samples (training, offline
    /// scoring), and a stream's step (2 s appended, one window out). A stream pays it every 2 s, so
    /// this per-window cost is part of the 10 ms budget of 400 real-time streams on 2 cores.
    /// </summary>
    private static void RunEegWindow(int runs, int warmup, CancellationToken ct)
    {
        var recording = NoiseRecording(EegWindow.Samples + 100 * EegWindowStream.StepSamples, seed: 3);
        var columns = recording.Samples.ToArray();
        var first = columns.Select(c => c[..EegWindow.Samples]).ToArray();
        var steps = Enumerable.Range(0, 100)
            .Select(i => columns.Select(c => c[(EegWindow.Samples + i * EegWindowStream.StepSamples)..(EegWindow.Samples + (i + 1) * EegWindowStream.StepSamples)]).ToArray())
            .ToArray();
        // The quick EEG model pools its input 1 x 30 first: a service streams it pooled windows (InputPooling).
        var pooling = new InputPooling(1, 30);
        // One stream stays in the caches; a service's hundreds of streams do not: their steps run in turn, each
        // on its own state (1.3 MB: samples, frames), into a few rotating input arrays as the service rents them.
        var one = new StreamSet(1, InputPooling.None, first);
        var onePooled = new StreamSet(1, pooling, first);
        var many = new StreamSet(ManyStreams, InputPooling.None, first);
        var manyPooled = new StreamSet(ManyStreams, pooling, first);
        var scratch = new float[EegWindow.Size];
        var variants = new (string Name, Action Work)[]
        {
            ("window, scalar FFT frames", () => EegWindow.Compute(columns, 0, scratch, SpectrogramKernel.Scalar)),
            ("window, SIMD FFT frames", () => EegWindow.Compute(columns, 0, scratch)),
            ("stream step: 2 s in, 1 out", () => one.Step(steps)),
            ("stream step, pooled 1 x 30 for the model", () => onePooled.Step(steps)),
            ($"{ManyStreams} streams' steps in turn, per step", () => many.Step(steps)),
            ($"{ManyStreams} streams' steps in turn, pooled 1 x 30", () => manyPooled.Step(steps)),
        };
        var results = MeasureAll(variants, warmup, runs, ct);
        WriteTable($"EEG window (the stream model's input): 16 chains x 10,000 samples, {runs} runs after {warmup} warm-up",
            "step", results, "F2", speedUp: true);
        AnsiConsole.MarkupLine("[grey]speed-up: median wall time of the scalar window / this step's; SIMD runs 8 FFT frames per AVX register. A stream pays one window per 2 s of signal: 400 streams on 2 cores leave 10 ms of CPU per window for everything. Pooled: the window the quick EEG model reads (12,000 floats, not 360,000)[/]");
    }

    private const int ManyStreams = 400;

    /// <summary>Streams that take their steps in turn, writing into 32 rotating input arrays.</summary>
    private sealed class StreamSet
    {
        private readonly EegWindowStream[] _streams;
        private readonly float[][] _inputs;
        private int _next;
        private int _input;
        private int _step;

        public StreamSet(int count, InputPooling pooling, float[][] first)
        {
            _inputs = Enumerable.Range(0, 32).Select(_ => new float[pooling.Size]).ToArray();
            _streams = Enumerable.Range(0, count)
                .Select(_ => new EegWindowStream(newInput: _ => _inputs[_input++ % _inputs.Length]) { Pooling = pooling })
                .ToArray();
            foreach (var stream in _streams)
            {
                stream.Append(first);
            }
        }

        public void Step(float[][][] steps)
        {
            _streams[_next].Append(steps[_step % steps.Length]);
            if (++_next == _streams.Length)
            {
                _next = 0;
                _step++;
            }
        }
    }

    private static async Task RunFilesAsync(int runs, int warmup, string? path, CancellationToken ct)
    {
        var generated = false;
        path ??= BenchmarkFiles.FindSharedData(BenchmarkFiles.KaggleTestSpectrogram);
        if (path is null)
        {
            path = await BenchmarkFiles.WriteSyntheticSpectrogramAsync(300, seed: 2, ct);
            generated = true;
        }
        try
        {
            var spectrogram = SpectrogramParquetReader.Read(path);
            var npyBytes = 0L;
            var variants = new (string Name, Action Work)[]
            {
                ("read spectrogram parquet", () => SpectrogramParquetReader.Read(path)),
                ("read parquet + convert to .npy bytes", () =>
                {
                    using var buffer = new MemoryStream();
                    SpectrogramNpy.Write(buffer, SpectrogramParquetReader.Read(path));
                    npyBytes = buffer.Length;
                }),
                ("window decode -> [3, 400, 300]", () => SpectrogramWindow.Decode(spectrogram, 0)),
            };
            var results = MeasureAll(variants, warmup, runs, ct);
            var source = generated ? "generated" : "Kaggle's";
            WriteTable($"{source} spectrogram {Path.GetFileName(path)}: {spectrogram.Columns} rows x 400, {runs} runs after {warmup} warm-up",
                "step", results, "F2", speedUp: false);
            AnsiConsole.MarkupLine($"[grey]target: <= 5 ms per 300-row spectrogram file once warm; .npy size {npyBytes:N0} bytes[/]");
        }
        finally
        {
            if (generated)
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>One benchmark table: median, best and CPU ms per variant, and optionally each one's speed-up over the first.</summary>
    private static void WriteTable(string title, string firstColumn, IReadOnlyList<BenchmarkResult> results, string format, bool speedUp)
    {
        var table = new Table().Title(Markup.Escape(title));
        table.AddColumn(firstColumn);
        table.AddColumn(new TableColumn("median ms").RightAligned());
        table.AddColumn(new TableColumn("min ms").RightAligned());
        table.AddColumn(new TableColumn("CPU ms").RightAligned());
        if (speedUp)
        {
            table.AddColumn(new TableColumn("speed-up").RightAligned());
        }
        var baseline = results[0].Median;
        foreach (var result in results)
        {
            string[] cells = [Markup.Escape(result.Name), result.MedianMs.ToString(format), result.MinMs.ToString(format), result.MedianCpuMs.ToString(format)];
            table.AddRow(speedUp ? [.. cells, $"{baseline / result.Median:F2}x"] : cells);
        }
        AnsiConsole.Write(table);
    }

    private static List<BenchmarkResult> MeasureAll((string Name, Action Work)[] variants, int warmup, int runs, CancellationToken ct)
    {
        var results = new List<BenchmarkResult>();
        StderrProgress.Create().Start(context =>
        {
            foreach (var (name, work) in variants)
            {
                var task = context.AddTask(Markup.Escape(name), maxValue: warmup + runs); // labels like "[3, 400, 300]" are not markup
                results.Add(BenchmarkTimer.Measure(name, work, warmup, runs, () => task.Increment(1), ct));
            }
        });
        return results;
    }

    private static void Stream(float[] interleaved, int channels)
    {
        var stream = new EegSpectrogramStream();
        var chunk = KaggleMontage.SampleRateHz * channels;
        for (var start = 0; start < interleaved.Length; start += chunk)
        {
            stream.Append(interleaved.AsSpan(start, Math.Min(chunk, interleaved.Length - start)), channels);
        }
        stream.Complete();
    }

    private static EegRecording NoiseRecording(int samples, int seed)
    {
        var random = new DeterministicRandom((ulong)seed);
        var channels = new float[KaggleMontage.Columns.Count][];
        for (var c = 0; c < channels.Length; c++)
        {
            channels[c] = new float[samples];
            for (var t = 0; t < samples; t++)
            {
                channels[c][t] = (float)(30 * random.NextGaussian());
            }
        }
        return new EegRecording(KaggleMontage.Columns, channels, KaggleMontage.SampleRateHz);
    }

    private static float[] Interleave(EegRecording recording)
    {
        var count = recording.Channels.Count;
        var values = new float[recording.Length * count];
        for (var c = 0; c < count; c++)
        {
            var channel = recording.Samples[c];
            for (var t = 0; t < channel.Length; t++)
            {
                values[t * count + c] = channel[t];
            }
        }
        return values;
    }
}
