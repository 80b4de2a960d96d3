using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hbac.Eeg;
using Hbac.Eeg.Formats.Csv;
using Hbac.Eeg.Formats.Npy;
using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Labels;
using Hbac.Eeg.Montage;
using Hbac.Eeg.Spectrograms;

namespace Hbac.Cli.Commands;

/// <summary>
/// <c>hbac inspect &lt;file&gt;</c>: one JSON object on stdout describing a data file: its <c>kind</c>
/// (spectrogram-parquet, eeg-parquet, edf, npy, labels-csv) and the facts that apply to it.
/// </summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "A Kaggle spectrogram or EEG .parquet, an EDF/EDF+/BDF recording, a NumPy .npy array (what convert writes), or a labels .csv (train, test or submission)" };
        var command = new Command("inspect", "Describe a data file as one JSON object: kind, rows, columns, channels, NaN count, times");
        command.Arguments.Add(file);
        command.SetAction((parseResult, ct) => CliGuard.Run(() =>
        {
            var json = Describe(parseResult.GetValue(file)!);
            Console.WriteLine(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
            return 0;
        }));
        return command;
    }

    internal static JsonObject Describe(string path)
    {
        if (!File.Exists(path))
        {
            throw Directory.Exists(path)
                ? new CliUsageException($"{path}: is a folder, inspect takes one file")
                : new FileNotFoundException("file not found", path);
        }
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension == ".parquet" || StartsWithParquetMagic(path))
        {
            return DescribeParquet(path);
        }
        if (extension == ".csv")
        {
            return DescribeLabelsCsv(path);
        }
        if (extension is ".edf" or ".bdf" || StartsWithEdfVersion(path))
        {
            return JsonSerializer.SerializeToNode(EdfInspection.Describe(path))!.AsObject();
        }
        if (extension == ".npy" || StartsWith(path, NpyFormat.Magic))
        {
            return DescribeNpy(path);
        }
        throw EegDataException.InFile(path, $"unknown file kind '{extension}' (inspect reads Kaggle .parquet spectrograms and EEGs, EDF/EDF+/BDF recordings, NumPy .npy arrays and labels .csv)");
    }

    /// <summary>A .npy array as the readers see it (C order, float32), with what the file stored; [400, T] is a converted spectrogram.</summary>
    private static JsonObject DescribeNpy(string path)
    {
        var array = NpyReader.Read(path);
        var nanCount = 0L;
        var min = float.PositiveInfinity;
        var max = float.NegativeInfinity;
        foreach (var v in array.Values)
        {
            if (float.IsNaN(v))
            {
                nanCount++;
            }
            else if (float.IsFinite(v))
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }
        var json = new JsonObject
        {
            ["kind"] = "npy",
            ["file"] = path,
            ["dtype"] = array.StoredDtype,
            ["fortran_order"] = array.StoredFortranOrder,
            ["shape"] = new JsonArray([.. array.Shape.Select(d => (JsonNode)d)]),
            ["elements"] = array.Values.Length,
            ["nan_count"] = nanCount,
            ["min"] = float.IsFinite(min) ? min : null,
            ["max"] = float.IsFinite(max) ? max : null,
        };
        if (array.Shape is [SpectrogramLayout.Rows, var columns])
        {
            // What hbac convert writes and training reads: LL/RL/LP/RP x 100 frequencies, one column per 2 s.
            json["layout"] = "spectrogram";
            json["regions"] = new JsonArray([.. KaggleMontage.Regions.Select(r => (JsonNode)r)]);
            json["duration_s"] = columns * 2.0;
        }
        return json;
    }

    private static JsonObject DescribeParquet(string path)
    {
        var columns = ParquetColumns.Read(path);
        if (columns.LooksLikeSpectrogram)
        {
            var s = SpectrogramParquetReader.Read(path);
            var nanCount = 0L;
            foreach (var v in s.Values)
            {
                if (float.IsNaN(v))
                {
                    nanCount++;
                }
            }
            var allNaNRows = 0;
            for (var c = 0; c < s.Columns; c++)
            {
                var all = true;
                for (var r = 0; r < 400 && all; r++)
                {
                    all = float.IsNaN(s[r, c]);
                }
                allNaNRows += all ? 1 : 0;
            }
            var time = columns.PhysicalTypes[IndexOf(columns.Names, SpectrogramParquetReader.TimeColumn)];
            return new JsonObject
            {
                ["kind"] = "spectrogram-parquet",
                ["file"] = path,
                ["rows"] = s.Columns,
                ["columns"] = columns.Names.Count,
                ["regions"] = new JsonArray([.. KaggleMontage.Regions.Select(r => (JsonNode)r)]),
                ["frequencies"] = 100,
                ["time_type"] = time,
                ["duration_s"] = s.Columns * 2.0,
                ["nan_count"] = nanCount,
                ["all_nan_rows"] = allNaNRows,
                ["time_first"] = s.Columns > 0 ? s.Times[0] : null,
                ["time_last"] = s.Columns > 0 ? s.Times[^1] : null,
            };
        }
        if (columns.LooksLikeEeg)
        {
            var eeg = EegParquetReader.Read(path);
            var present = new HashSet<string>(columns.Names, StringComparer.Ordinal);
            var nanCount = 0L;
            for (var c = 0; c < eeg.Channels.Count; c++)
            {
                if (!present.Contains(eeg.Channels[c]))
                {
                    continue; // filled in by the reader, not in the file
                }
                foreach (var v in eeg.Samples[c])
                {
                    if (float.IsNaN(v))
                    {
                        nanCount++;
                    }
                }
            }
            return new JsonObject
            {
                ["kind"] = "eeg-parquet",
                ["file"] = path,
                ["rows"] = eeg.Length,
                ["columns"] = columns.Names.Count,
                ["channels"] = new JsonArray([.. columns.Names.Select(n => (JsonNode)n)]),
                ["montage_channels_found"] = new JsonArray([.. KaggleMontage.Electrodes.Where(present.Contains).Select(n => (JsonNode)n)]),
                ["sample_rate_hz"] = eeg.SampleRateHz,
                ["duration_s"] = eeg.DurationSeconds,
                ["nan_count"] = nanCount,
            };
        }
        throw EegDataException.InFile(path,
            "parquet columns match neither a Kaggle spectrogram (time + LL_/RL_/LP_/RP_ columns) nor a Kaggle EEG (Fp1 ... O2)");
    }

    private static JsonObject DescribeLabelsCsv(string path)
    {
        var table = CsvTable.Read(path);
        var json = new JsonObject
        {
            ["kind"] = "labels-csv",
            ["file"] = path,
            ["rows"] = table.Rows.Count,
            ["columns"] = table.Header.Count,
            ["column_names"] = new JsonArray([.. table.Header.Select(n => (JsonNode)n)]),
        };
        var trainOnly = TrainLabels.Columns.Where(c => !TestEntries.Columns.Contains(c) && !VoteTable.Columns.Contains(c)).ToList();
        var votes = EegClasses.VoteColumns.Count(table.HasColumn);
        var isTrain = TrainLabels.Columns.All(table.HasColumn);
        if (!isTrain && (trainOnly.Any(table.HasColumn) || votes is > 0 and < 6))
        {
            // Some train (or vote) columns but not all: a damaged train.csv or submission, not a test listing.
            var missing = (trainOnly.Any(table.HasColumn) ? TrainLabels.Columns : VoteTable.Columns).Where(c => !table.HasColumn(c));
            throw EegDataException.InFile(path,
                $"has some train.csv/submission columns but lacks {string.Join(", ", missing.Select(c => $"'{c}'"))}: not a complete Kaggle labels CSV");
        }
        if (isTrain)
        {
            var labels = TrainLabels.FromTable(table);
            var perClass = new JsonObject();
            for (var k = 0; k < EegClasses.Count; k++)
            {
                perClass[EegClasses.Names[k]] = labels.Count(l => l.ExpertConsensus == k);
            }
            json["format"] = "train";
            json["eegs"] = labels.Select(l => l.EegId).Distinct().Count();
            json["spectrograms"] = labels.Select(l => l.SpectrogramId).Distinct().Count();
            json["patients"] = labels.Select(l => l.PatientId).Distinct().Count();
            json["expert_consensus"] = perClass;
        }
        else if (TestEntries.Columns.All(table.HasColumn))
        {
            var entries = TestEntries.FromTable(table);
            json["format"] = "test";
            json["eegs"] = entries.Select(e => e.EegId).Distinct().Count();
            json["spectrograms"] = entries.Select(e => e.SpectrogramId).Distinct().Count();
            json["patients"] = entries.Select(e => e.PatientId).Distinct().Count();
        }
        else if (VoteTable.Columns.All(table.HasColumn))
        {
            var rows = VoteTable.FromTable(table, normalise: false);
            json["format"] = "submission";
            json["eegs"] = rows.Select(r => r.EegId).Distinct().Count();
        }
        else
        {
            throw EegDataException.InFile(path,
                "not a Kaggle labels CSV: expected train.csv columns, test.csv columns (spectrogram_id, eeg_id, patient_id) or eeg_id + the six *_vote columns");
        }
        return json;
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>EDF headers start with "0" padded to 8 bytes; BDF with 0xFF "BIOSEMI".</summary>
    private static bool StartsWithEdfVersion(string path)
    {
        Span<byte> head = stackalloc byte[8];
        using var stream = File.OpenRead(path);
        if (stream.ReadAtLeast(head, 8, throwOnEndOfStream: false) < 8)
        {
            return false;
        }
        return head.SequenceEqual("0       "u8) || (head[0] == 0xFF && head[1..].SequenceEqual("BIOSEMI"u8));
    }

    private static bool StartsWithParquetMagic(string path) => StartsWith(path, "PAR1"u8);

    private static bool StartsWith(string path, ReadOnlySpan<byte> magic)
    {
        Span<byte> head = stackalloc byte[magic.Length];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(head, magic.Length, throwOnEndOfStream: false) == magic.Length && head.SequenceEqual(magic);
    }
}
