using System.CommandLine;
using Hbac.Eeg.Formats.Npy;
using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Spectrograms;

namespace Hbac.Cli.Commands;

/// <summary>
/// <c>hbac convert</c>: the seed's conversion of Kaggle spectrogram parquet files to [400, T] float32 .npy
/// (NaN -> 0), one file or every *.parquet of a folder.
/// </summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "A spectrogram .parquet file, or a folder whose *.parquet files are all converted" };
        var output = new Option<string>("--out")
        {
            Description = "The .npy file to write, or a folder to write <name>.npy into (always a folder when the input is a folder)",
            Required = true,
        };
        var command = new Command("convert", "Convert Kaggle spectrogram parquet files to [400, T] float32 .npy (NaN -> 0), byte-compatible with np.save");
        command.Arguments.Add(input);
        command.Options.Add(output);
        command.SetAction((parseResult, ct) => CliGuard.RunAsync(async () =>
        {
            var source = parseResult.GetValue(input)!;
            var target = parseResult.GetValue(output)!;
            if (Directory.Exists(source))
            {
                return await ConvertFolderAsync(source, target, ct);
            }
            if (!File.Exists(source))
            {
                throw new CliUsageException($"{source}: no such file or folder");
            }
            // --out names the .npy itself, or else a folder to write <name>.npy into.
            var npy = Directory.Exists(target) || EndsWithSeparator(target) || !target.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)
                ? Path.Combine(target, Path.GetFileNameWithoutExtension(source) + ".npy")
                : target;
            var columns = ConvertFile(source, npy);
            Console.WriteLine($"wrote {npy} (400 x {columns})");
            return 0;
        }));
        return command;
    }

    /// <summary>Reads one spectrogram parquet and writes its .npy; returns the number of time columns.</summary>
    internal static int ConvertFile(string parquet, string npy)
    {
        // Refused before anything is written: an infinite power would go into the .npy, which every reader
        // of it (predict, training) then refuses, far from the file that caused it.
        var spectrogram = SpectrogramValues.RequireUsable(SpectrogramParquetReader.Read(parquet), parquet);
        var folder = Path.GetDirectoryName(Path.GetFullPath(npy));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }
        SpectrogramNpy.Write(npy, spectrogram);
        return spectrogram.Columns;
    }

    private static async Task<int> ConvertFolderAsync(string source, string target, CancellationToken ct)
    {
        var files = Directory.GetFiles(source, "*.parquet", SearchOption.TopDirectoryOnly);
        Array.Sort(files, StringComparer.Ordinal);
        if (files.Length == 0)
        {
            throw new CliUsageException($"{source}: no .parquet files in this folder");
        }
        if (File.Exists(target))
        {
            throw new CliUsageException($"{target}: is a file; --out must be a folder when the input is a folder");
        }
        Directory.CreateDirectory(target);

        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        await StderrProgress.Create().StartAsync(async progress =>
        {
            var task = progress.AddTask($"converting {files.Length} spectrograms", maxValue: files.Length);
            var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct };
            await Parallel.ForEachAsync(files, options, (file, _) =>
            {
                try
                {
                    ConvertFile(file, Path.Combine(target, Path.GetFileNameWithoutExtension(file) + ".npy"));
                }
                catch (Exception e) when (CliGuard.UserMessage(e) is { } message && e is not OperationCanceledException)
                {
                    failures.Add(message);
                }
                task.Increment(1);
                return ValueTask.CompletedTask;
            });
        });

        foreach (var message in failures.Order(StringComparer.Ordinal))
        {
            Console.Error.WriteLine($"hbac: {message}");
        }
        Console.WriteLine($"converted {files.Length - failures.Count} of {Counted.Of(files.Length, "file")} to {target}" +
            (failures.IsEmpty ? "" : $" ({failures.Count} failed)"));
        return failures.IsEmpty ? 0 : CliGuard.UserError;
    }

    private static bool EndsWithSeparator(string path) =>
        path.EndsWith(Path.DirectorySeparatorChar) || path.EndsWith(Path.AltDirectorySeparatorChar);
}
