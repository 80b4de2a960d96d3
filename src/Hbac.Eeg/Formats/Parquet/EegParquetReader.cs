using Hbac.Eeg.Montage;
using Parquet.Schema;

namespace Hbac.Eeg.Formats.Parquet;

/// <summary>
/// Reads a Kaggle raw-EEG parquet (20 float columns Fp1 ... O2, EKG at 200 Hz) into an <see cref="EegRecording"/>
/// with the channels in <see cref="KaggleMontage.Columns"/> order. Columns are found by name; extra columns
/// are ignored; float or double, nullable or required; nulls become NaN. The 19 electrodes are required;
/// a file without <c>EKG</c> (not used by any montage) gets an all-NaN EKG channel.
/// </summary>
public static class EegParquetReader
{
    public const string EkgColumn = "EKG";

    public static EegRecording Read(string path)
    {
        using var stream = ParquetTable.OpenFile(path);
        return ReadAsync(stream, path).GetAwaiter().GetResult();
    }

    public static async Task<EegRecording> ReadAsync(Stream stream, string sourceName, CancellationToken ct = default)
    {
        await using var table = await ParquetTable.OpenAsync(stream, sourceName, ct);
        var fields = ResolveColumns(table);
        if (table.RowCount == 0)
        {
            throw EegDataException.InFile(sourceName, "no rows (samples): an empty recording");
        }

        var samples = new float[KaggleMontage.Columns.Count][];
        for (var c = 0; c < samples.Length; c++)
        {
            samples[c] = new float[table.RowCount];
            if (fields[c] is { } field)
            {
                await table.ReadSinglesAsync(field, samples[c], ct);
            }
            else
            {
                Array.Fill(samples[c], float.NaN);
            }
        }
        return new EegRecording(KaggleMontage.Columns, samples, KaggleMontage.SampleRateHz);
    }

    /// <summary>True when the columns include every Kaggle electrode (how <c>inspect</c> tells EEG from spectrogram).</summary>
    internal static bool LooksLikeEeg(IEnumerable<string> columnNames)
    {
        var names = new HashSet<string>(columnNames, StringComparer.Ordinal);
        return KaggleMontage.Electrodes.All(names.Contains);
    }

    private static DataField?[] ResolveColumns(ParquetTable table)
    {
        var fields = new DataField?[KaggleMontage.Columns.Count];
        for (var c = 0; c < fields.Length; c++)
        {
            var name = KaggleMontage.Columns[c];
            var field = table.Find(name);
            if (field is null)
            {
                if (name == EkgColumn)
                {
                    continue;
                }
                throw EegDataException.InFile(table.SourceName, $"missing EEG electrode column '{name}'");
            }
            if (!ParquetTable.IsFloatingPoint(field))
            {
                throw EegDataException.InFile(table.SourceName, $"column '{name}' has type {ParquetTable.TypeName(field)}, expected float or double");
            }
            fields[c] = field;
        }
        return fields;
    }
}
