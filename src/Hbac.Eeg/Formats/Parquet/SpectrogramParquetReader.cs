using Parquet.Schema;
using Hbac.Eeg.Montage;
using Hbac.Eeg.Spectrograms;

namespace Hbac.Eeg.Formats.Parquet;

/// <summary>
/// Reads a Kaggle spectrogram parquet (<c>time</c> + 400 region columns) into a [400, T] <see cref="Spectrogram"/>.
/// Columns are found by name, not position; <c>time</c> may be any integer or floating type (INT32 in the
/// test file, INT64 in train files); region columns may be float or double, nullable or required; nulls
/// and NaN both become NaN. All row groups are read in order.
/// </summary>
public static class SpectrogramParquetReader
{
    public const string TimeColumn = "time";

    public static Spectrogram Read(string path)
    {
        using var stream = ParquetTable.OpenFile(path);
        return ReadAsync(stream, path).GetAwaiter().GetResult();
    }

    public static async Task<Spectrogram> ReadAsync(Stream stream, string sourceName, CancellationToken ct = default)
    {
        var start = stream.CanSeek ? stream.Position : -1;
        await using var table = await ParquetTable.OpenAsync(stream, sourceName, ct);
        var (timeField, regionFields) = ResolveColumns(table);

        var columns = table.RowCount;
        if (columns == 0)
        {
            throw EegDataException.InFile(sourceName, "no rows (time steps): an empty spectrogram");
        }
        var times = new float[columns];
        await table.ReadNumbersAsSinglesAsync(timeField, times, ct);

        // Row r of the matrix is parquet column r of the layout: one contiguous run of T values.
        var values = new float[SpectrogramLayout.Rows * columns];
        // Parquet.Net decodes column by column; a file already in memory gets a second reader over the
        // same bytes so the two halves of the 400 columns decode on two cores.
        var split = Environment.ProcessorCount > 1 && start == 0 && stream is MemoryStream memory && memory.TryGetBuffer(out var bytes)
            ? new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false)
            : null;
        if (split is null)
        {
            await ReadRowsAsync(table, regionFields, values, columns, 0, SpectrogramLayout.Rows, ct);
            return new Spectrogram(values, times);
        }
        const int half = SpectrogramLayout.Rows / 2;
        var secondHalf = Task.Run(async () =>
        {
            await using var second = await ParquetTable.OpenAsync(split, sourceName, ct);
            var (_, secondFields) = ResolveColumns(second);
            await ReadRowsAsync(second, secondFields, values, columns, half, SpectrogramLayout.Rows, ct);
        }, ct);
        try
        {
            await ReadRowsAsync(table, regionFields, values, columns, 0, half, ct);
        }
        finally
        {
            await secondHalf;
        }
        return new Spectrogram(values, times);
    }

    private static async Task ReadRowsAsync(ParquetTable table, DataField[] fields, float[] values, int columns, int first, int end, CancellationToken ct)
    {
        for (var r = first; r < end; r++)
        {
            await table.ReadSinglesAsync(fields[r], values.AsMemory(r * columns, columns), ct);
        }
    }

    /// <summary>True when the column names look like a spectrogram (a time column and region columns).</summary>
    internal static bool LooksLikeSpectrogram(IEnumerable<string> columnNames)
    {
        var hasTime = false;
        var hasRegion = false;
        foreach (var name in columnNames)
        {
            hasTime |= name == TimeColumn;
            hasRegion |= IsRegionColumn(name);
        }
        return hasTime && hasRegion;
    }

    internal static bool IsRegionColumn(string name)
    {
        foreach (var region in KaggleMontage.Regions)
        {
            if (name.Length > region.Length && name.StartsWith(region, StringComparison.Ordinal) && name[region.Length] == '_')
            {
                return true;
            }
        }
        return false;
    }

    private static (DataField Time, DataField[] Regions) ResolveColumns(ParquetTable table)
    {
        var timeField = table.Find(TimeColumn)
            ?? throw EegDataException.InFile(table.SourceName, $"missing column '{TimeColumn}', not a Kaggle spectrogram parquet");
        if (!ParquetTable.IsNumeric(timeField))
        {
            throw EegDataException.InFile(table.SourceName, $"column '{TimeColumn}' has type {ParquetTable.TypeName(timeField)}, expected a number");
        }

        var regionFields = new DataField[SpectrogramLayout.Rows];
        for (var r = 0; r < SpectrogramLayout.Rows; r++)
        {
            var name = SpectrogramLayout.ColumnNames[r];
            var field = table.Find(name)
                ?? throw EegDataException.InFile(table.SourceName, $"missing spectrogram column '{name}'");
            if (!ParquetTable.IsFloatingPoint(field))
            {
                throw EegDataException.InFile(table.SourceName, $"column '{name}' has type {ParquetTable.TypeName(field)}, expected float or double");
            }
            regionFields[r] = field;
        }

        var expected = new HashSet<string>(SpectrogramLayout.ColumnNames, StringComparer.Ordinal);
        foreach (var field in table.Fields)
        {
            if (IsRegionColumn(field.Name) && !expected.Contains(field.Name))
            {
                throw EegDataException.InFile(table.SourceName, $"unexpected spectrogram column '{field.Name}' (not one of the 400 Kaggle region x frequency columns)");
            }
        }
        return (timeField, regionFields);
    }
}
