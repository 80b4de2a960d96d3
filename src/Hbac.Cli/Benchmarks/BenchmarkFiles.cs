using Hbac.Eeg.Randomness;
using Hbac.Eeg.Spectrograms;
using Parquet;
using Parquet.Schema;

namespace Hbac.Cli.Benchmarks;

/// <summary>Input files for benchmarks: Kaggle's real test spectrogram when it is around, else a generated one like it.</summary>
internal static class BenchmarkFiles
{
    /// <summary>Prints a benchmark's Markdown table, and writes it to <paramref name="file"/> too when one is given (--out).</summary>
    public static void PrintTable(string markdown, string? file)
    {
        Console.Write(markdown);
        if (file is not null)
        {
            File.WriteAllText(file, markdown);
            Console.Error.WriteLine($"table written to {file}");
        }
    }

    public const string KaggleTestSpectrogram = "hms/test_spectrograms/853520.parquet";

    /// <summary>
    /// ../shared/data/<paramref name="relative"/> found from HBAC_SHARED_DATA, or from the current folder or the
    /// executable's folder and their parents; null when absent.
    /// </summary>
    public static string? FindSharedData(string relative)
    {
        var fromEnv = Environment.GetEnvironmentVariable("HBAC_SHARED_DATA");
        if (!string.IsNullOrEmpty(fromEnv) && File.Exists(Path.Combine(fromEnv, relative)))
        {
            return Path.Combine(fromEnv, relative);
        }
        foreach (var origin in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(origin); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data", relative);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    /// <summary>
    /// Writes a spectrogram parquet shaped like Kaggle's (INT64 time 1, 3, ...; 400 nullable FLOAT columns by name,
    /// one row group) with log-normal power values, to a new temporary file.
    /// </summary>
    public static async Task<string> WriteSyntheticSpectrogramAsync(int rows, int seed, CancellationToken ct)
    {
        var random = new DeterministicRandom((ulong)seed);
        var time = new DataField("time", typeof(long), isNullable: true);
        var fields = SpectrogramLayout.ColumnNames.Select(name => new DataField(name, typeof(float), isNullable: true)).ToArray();
        var path = Path.Combine(Path.GetTempPath(), $"hbac-bench-spectrogram-{Environment.ProcessId}.parquet");
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema([time, .. fields]), stream, null, false, ct);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync<long>(time, Enumerable.Range(0, rows).Select(r => (long?)(2 * r + 1)).ToArray().AsMemory(), cancellationToken: ct);
        foreach (var field in fields)
        {
            var values = new float?[rows];
            for (var r = 0; r < rows; r++)
            {
                values[r] = (float)Math.Exp(1.5 * random.NextGaussian());
            }
            await group.WriteAsync<float>(field, values.AsMemory(), cancellationToken: ct);
        }
        return path;
    }
}
