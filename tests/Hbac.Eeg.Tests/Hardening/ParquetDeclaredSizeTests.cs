using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Spectrograms;

namespace Hbac.Eeg.Tests.Hardening;

/// <summary>
/// Issue 12, classes 1, 6 and 7 for parquet: declared sizes (row counts, value counts, page sizes, offsets,
/// repetition) that the bytes cannot hold are refused with one line naming the file, before anything is allocated.
/// </summary>
public class ParquetDeclaredSizeTests
{
    private const string FirstRegion = "LL_0.59";

    /// <summary>Every codec Parquet.Net writes: the level checks decompress each of them.</summary>
    public static TheoryData<Parquet.CompressionMethod> Codecs =>
    [
        Parquet.CompressionMethod.Snappy, Parquet.CompressionMethod.None, Parquet.CompressionMethod.Gzip,
        Parquet.CompressionMethod.Zstd, Parquet.CompressionMethod.Brotli, Parquet.CompressionMethod.Lz4Raw,
    ];

    private static EegDataException RefusedSpectrogram(byte[] bytes)
    {
        using var folder = new TempFolder();
        var path = HardeningFiles.Save(folder, "bad.parquet", bytes);
        var error = Assert.Throws<EegDataException>(() => SpectrogramParquetReader.Read(path));
        Assert.StartsWith(path + ": ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        return error;
    }

    private static EegDataException RefusedEeg(byte[] bytes)
    {
        using var folder = new TempFolder();
        var path = HardeningFiles.Save(folder, "bad.parquet", bytes);
        var error = Assert.Throws<EegDataException>(() => EegParquetReader.Read(path));
        Assert.StartsWith(path + ": ", error.Message);
        return error;
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(int.MaxValue)]
    [InlineData(7L)]
    public void ARowGroupRowCountTheColumnsDoNotHoldIsRefused(long rows)
    {
        var surgery = new ParquetSurgery(HardeningFiles.Spectrogram(columns: 6));
        surgery.RowGroup(0).Set(ParquetSurgery.RowGroupRowsField, rows);
        var error = RefusedSpectrogram(surgery.ToBytes());
        Assert.Contains("row group 0", error.Message);
    }

    [Fact]
    public void AnEegWithOneRowMoreDeclaredThanStoredIsRefusedNotPaddedWithNaN()
    {
        var surgery = new ParquetSurgery(HardeningFiles.Eeg(rows: 300));
        surgery.RowGroup(0).Set(ParquetSurgery.RowGroupRowsField, 301);
        var error = RefusedEeg(surgery.ToBytes());
        Assert.Contains("declares 300 values for 301 rows", error.Message);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    public void AColumnValueCountOfZeroOrLessIsRefusedNotReadAsNaN(long values)
    {
        var surgery = new ParquetSurgery(HardeningFiles.Spectrogram());
        surgery.Column(0, FirstRegion).Set(ParquetSurgery.NumValuesField, values);
        var error = RefusedSpectrogram(surgery.ToBytes());
        Assert.Contains($"column '{FirstRegion}' in row group 0", error.Message);
    }

    [Fact]
    public void APageHeaderDeclaringInt32MaxValuesIsRefusedBeforeDecoding()
    {
        var surgery = new ParquetSurgery(HardeningFiles.Spectrogram());
        surgery.EditDataPageHeader(0, FirstRegion, page => page.Struct(ParquetSurgery.DataPageHeaderField).Set(ParquetSurgery.PageNumValuesField, int.MaxValue));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = RefusedSpectrogram(surgery.ToBytes());
        Assert.Contains($"declares {int.MaxValue} values", error.Message);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 64L << 20);
    }

    [Fact]
    public void APageHeaderDeclaringAHugeDecodedSizeIsRefused()
    {
        var surgery = new ParquetSurgery(HardeningFiles.Spectrogram());
        surgery.EditDataPageHeader(0, FirstRegion, page => page.Set(ParquetSurgery.PageUncompressedSizeField, int.MaxValue));
        var error = RefusedSpectrogram(surgery.ToBytes());
        Assert.Contains($"declares {int.MaxValue} decoded bytes", error.Message);
    }

    [Theory]
    [InlineData(1L << 40)]
    [InlineData(3L)]
    public void AnAbsurdDictionaryPageOffsetIsRefusedNotReadAsNaN(long offset)
    {
        var surgery = new ParquetSurgery(HardeningFiles.Spectrogram());
        var column = surgery.Column(0, FirstRegion);
        if (column.Has(ParquetSurgery.DictionaryPageOffsetField))
        {
            column.Set(ParquetSurgery.DictionaryPageOffsetField, offset);
        }
        else
        {
            column.Fields.Insert(column.Fields.FindIndex(f => f.Id > ParquetSurgery.DictionaryPageOffsetField) is var i and >= 0 ? i : column.Fields.Count,
                new ThriftField(ParquetSurgery.DictionaryPageOffsetField, 6, offset));
        }
        var error = RefusedSpectrogram(surgery.ToBytes());
        Assert.Contains($"column '{FirstRegion}' in row group 0", error.Message);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void AnOptionalColumnRelabelledRequiredIsRefusedNotReadAsGarbage(Parquet.CompressionMethod compression)
    {
        var original = HardeningFiles.Eeg(rows: 300, compression);
        using (var folder = new TempFolder())
        {
            Assert.Equal(300, EegParquetReader.Read(HardeningFiles.Save(folder, "ok.parquet", original)).Length);
        }
        var surgery = new ParquetSurgery(original);
        surgery.SchemaElement("Fp1").Set(ParquetSurgery.RepetitionField, 0);
        var error = RefusedEeg(surgery.ToBytes());
        Assert.Contains("column 'Fp1' in row group 0: declared REQUIRED", error.Message);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void ARequiredColumnRelabelledOptionalIsRefusedNotReadAsGarbage(Parquet.CompressionMethod compression)
    {
        var original = HardeningFiles.EegWithRequiredColumns(rows: 300, compression);
        using (var folder = new TempFolder())
        {
            var read = EegParquetReader.Read(HardeningFiles.Save(folder, "ok.parquet", original));
            Assert.Equal((float)Math.Sin(0.1 * 7 + 0), read.Samples[0][7]);
        }
        var surgery = new ParquetSurgery(original);
        surgery.SchemaElement("Fp1").Set(ParquetSurgery.RepetitionField, 1);
        var error = RefusedEeg(surgery.ToBytes());
        Assert.Contains("column 'Fp1' in row group 0: declared OPTIONAL", error.Message);
    }

    [Theory]
    [InlineData(0)] // UNCOMPRESSED
    [InlineData(2)] // GZIP
    [InlineData(3)] // LZO
    [InlineData(4)] // BROTLI
    [InlineData(5)] // LZ4 (Hadoop framing)
    [InlineData(6)] // ZSTD
    [InlineData(7)] // LZ4_RAW
    [InlineData(99)]
    public void SnappyPagesUnderAnotherCodecAreRefusedByName(int codec)
    {
        var surgery = new ParquetSurgery(HardeningFiles.Eeg(rows: 300));
        surgery.Column(0, "Fp1").Set(ParquetSurgery.CodecField, codec);
        var error = RefusedEeg(surgery.ToBytes());
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void EmptyFilesAreRefusedByBothReaders()
    {
        Assert.Contains("no rows", RefusedSpectrogram(HardeningFiles.Spectrogram(columns: 0)).Message);
        Assert.Contains("no rows", RefusedEeg(HardeningFiles.Eeg(rows: 0)).Message);
    }

    [Fact]
    public void TheUntouchedFilesStillRead()
    {
        using var folder = new TempFolder();
        var spectrogram = SpectrogramParquetReader.Read(HardeningFiles.Save(folder, "s.parquet", HardeningFiles.Spectrogram(columns: 6)));
        Assert.Equal(6, spectrogram.Columns);
        Assert.Equal(1f, spectrogram[0, 0]);
        var eeg = EegParquetReader.Read(HardeningFiles.Save(folder, "e.parquet", HardeningFiles.Eeg(rows: 300)));
        Assert.Equal(300, eeg.Length);
        Assert.DoesNotContain(eeg.Samples[0], float.IsNaN);
    }

    [SharedDataFact]
    public void KagglesFilesPassTheLayoutChecks()
    {
        foreach (var file in new[] { "hms/test_spectrograms/853520.parquet", "hms/train_spectrograms/1000086677.parquet" })
        {
            Assert.Equal(300, SpectrogramParquetReader.Read(SharedData.File(file)).Columns);
        }
        foreach (var file in new[] { "hms/test_eegs/3911565283.parquet", "hms/train_eegs/1000913311.parquet" })
        {
            Assert.Equal(10_000, EegParquetReader.Read(SharedData.File(file)).Length);
        }
    }

    [SharedDataFact]
    public void KagglesEegWithFp1RelabelledRequiredIsRefused()
    {
        var surgery = new ParquetSurgery(File.ReadAllBytes(SharedData.File("hms/test_eegs/3911565283.parquet")));
        surgery.SchemaElement("Fp1").Set(ParquetSurgery.RepetitionField, 0);
        var error = RefusedEeg(surgery.ToBytes());
        Assert.Contains("'Fp1'", error.Message);
    }
}
