using System.Text;
using Hbac.Eeg.Formats.Edf;
using Hbac.Eeg.Formats.Npy;
using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Montage;
using Hbac.Eeg.Spectrograms;
using Hbac.Inference.Tests.Support;

namespace Hbac.Fuzz;

/// <summary>
/// Small valid files, one or two per target, written by the project's own writers: the fuzzer's starting
/// corpus (small, so mutations reach every header field quickly).
/// </summary>
internal static class Seeds
{
    public static IReadOnlyList<(string Name, byte[] Bytes)> For(string target) => target switch
    {
        "spectrogram-parquet" => [("four-columns.parquet", Spectrogram(4))],
        // Other producers' codecs too: the level checks decompress each one.
        "eeg-parquet" => [("hundred-rows.parquet", Eeg(100)), ("hundred-rows-gzip.parquet", Eeg(100, Parquet.CompressionMethod.Gzip)),
            ("hundred-rows-zstd.parquet", Eeg(100, Parquet.CompressionMethod.Zstd))],
        "edf" => [("montage.edf", Edf()), ("montage.bdf", Bdf())],
        "npy" => [("spectrogram.npy", Npy(3)), ("vector.npy", NpyVector())],
        "csv" => [("train.csv", TrainCsv()), ("submission.csv", SubmissionCsv()), ("test.csv", TestCsv())],
        "onnx" => [("tiny.onnx", TinyOnnxModel.Favouring(0).ToBytes())],
        _ => throw new ArgumentException($"unknown target '{target}'"),
    };

    private static byte[] ViaFile(Action<string> write)
    {
        var path = Path.Combine(Path.GetTempPath(), $"hbac-fuzz-seed-{Guid.NewGuid():N}");
        try
        {
            write(path);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static byte[] Spectrogram(int columns)
    {
        var values = new float[SpectrogramLayout.Rows * columns];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = i % 7 == 0 ? float.NaN : 0.5f + i % 13;
        }
        var times = Enumerable.Range(0, columns).Select(c => 1f + 2 * c).ToArray();
        return ViaFile(path => SpectrogramParquetWriter.Write(path, new Spectrogram(values, times)));
    }

    public static byte[] Eeg(int rows, Parquet.CompressionMethod compression = Parquet.CompressionMethod.Snappy)
    {
        var samples = KaggleMontage.Columns.Select((_, c) => Enumerable.Range(0, rows).Select(i => (float)Math.Sin(0.1 * i + c) * 50).ToArray()).ToArray();
        return ViaFile(path => EegParquetWriter.Write(path, new EegRecording(KaggleMontage.Columns, samples, KaggleMontage.SampleRateHz), compression));
    }

    /// <summary>EDF+C: the 19 montage electrodes at 200 Hz, 2 one-second records, one annotation.</summary>
    public static byte[] Edf() => ViaFile(path =>
    {
        using var writer = new EdfPlusWriter(path, KaggleMontage.Electrodes, KaggleMontage.SampleRateHz, -500, 500, 2,
            [new EdfAnnotation(0.5, 1.0, "spike")], new DateTime(2020, 1, 1));
        writer.Write([.. KaggleMontage.Electrodes.Select((_, c) => Enumerable.Range(0, 400).Select(i => (float)Math.Sin(0.05 * i + c) * 100).ToArray())]);
    });

    /// <summary>A BDF (24-bit) header and one record of two montage signals at 64 Hz, written field by field.</summary>
    public static byte[] Bdf()
    {
        const int samples = 64;
        string[] labels = ["Fp1", "F3"];
        var header = new StringBuilder();
        void Field(string value, int width) => header.Append(value.PadRight(width)[..width]);
        Field("XBIOSEMI", 8); Field("X X X X", 80); Field("Startdate 01-JAN-2020 X X X", 80);
        Field("01.01.20", 8); Field("10.20.30", 8); Field((256 * (labels.Length + 1)).ToString(), 8);
        Field("24BIT", 44); Field("1", 8); Field("1", 8); Field(labels.Length.ToString(), 4);
        foreach (var l in labels) Field(l, 16);
        foreach (var _ in labels) Field("", 80);
        foreach (var _ in labels) Field("uV", 8);
        foreach (var _ in labels) Field("-262144", 8);
        foreach (var _ in labels) Field("262143", 8);
        foreach (var _ in labels) Field("-8388608", 8);
        foreach (var _ in labels) Field("8388607", 8);
        foreach (var _ in labels) Field("", 80);
        foreach (var _ in labels) Field(samples.ToString(), 8);
        foreach (var _ in labels) Field("", 32);
        var bytes = Encoding.Latin1.GetBytes(header.ToString());
        bytes[0] = 0xFF;
        var data = new byte[labels.Length * samples * 3];
        for (var i = 0; i < data.Length; i += 3)
        {
            var v = (int)(Math.Sin(i) * 100_000);
            data[i] = (byte)v;
            data[i + 1] = (byte)(v >> 8);
            data[i + 2] = (byte)(v >> 16);
        }
        return [.. bytes, .. data];
    }

    public static byte[] Npy(int columns)
    {
        var stream = new MemoryStream();
        NpyWriter.Write(stream, Enumerable.Range(0, 400 * columns).Select(i => i % 5 == 0 ? 0f : i * 0.01f).ToArray(), [400, columns]);
        return stream.ToArray();
    }

    public static byte[] NpyVector()
    {
        var stream = new MemoryStream();
        NpyWriter.Write(stream, [1f, 2f, 3f], [3]);
        return stream.ToArray();
    }

    public static byte[] TrainCsv() => Encoding.UTF8.GetBytes(
        "eeg_id,eeg_sub_id,eeg_label_offset_seconds,spectrogram_id,spectrogram_sub_id,spectrogram_label_offset_seconds,label_id,patient_id,expert_consensus,seizure_vote,lpd_vote,gpd_vote,lrda_vote,grda_vote,other_vote\n" +
        "1628180742,0,0.0,353733,0,0.0,127492639,42516,Seizure,3,0,0,0,0,0\n" +
        "2277392603,1,6.0,924234,1,6.0,1978807404,30539,GPD,0,0,5,0,1,5\n");

    public static byte[] SubmissionCsv() => Encoding.UTF8.GetBytes(
        "eeg_id,seizure_vote,lpd_vote,gpd_vote,lrda_vote,grda_vote,other_vote\n3911565283,0.1,0.1,0.1,0.1,0.1,0.5\n\"7\",0.5,0.5,0,0,0,0\n");

    public static byte[] TestCsv() => Encoding.UTF8.GetBytes("spectrogram_id,eeg_id,patient_id\n853520,3911565283,6885\n");
}
