using Hbac.Eeg.Formats;
using Hbac.Eeg.Formats.Edf;
using Hbac.Eeg.Montage;

namespace Hbac.Eeg.Tests.Edf;

/// <summary>
/// An EDF/BDF at a rate other than 200 Hz is read record by record and resampled as it goes: the same samples,
/// bit for bit, as loading the whole file and resampling it (what the preprocessing service does).
/// </summary>
public class EdfStreamedResamplingTests
{
    private static TestEdfSignal Signal(string label, int samplesPerRecord, int records, int seed)
    {
        var random = new Random(seed);
        return new TestEdfSignal
        {
            Label = label,
            SamplesPerRecord = samplesPerRecord,
            Digital = [.. Enumerable.Range(0, samplesPerRecord * records).Select(n => (int)(3000 * Math.Sin(n * 0.07 + seed) + random.Next(-2000, 2000)))],
        };
    }

    private static void AssertStreamedEqualsWhole(string path, int chunkSeconds)
    {
        var whole = EdfRecordingLoader.Load(path);
        using var chunked = ChunkedRecording.Open(path);
        Assert.True(chunked.Streamed);
        var chunks = chunked.Chunks(chunkSeconds).ToList();
        Assert.All(chunks[..^1], chunk => Assert.Equal(chunkSeconds * 200, chunk[0].Length));
        foreach (var channel in whole.Channels)
        {
            var column = KaggleMontage.ColumnIndex(channel);
            Assert.Equal(whole.Channel(channel), chunks.SelectMany(chunk => chunk[column]).ToArray());
        }
    }

    [Theory]
    [InlineData(256, 1, false)]
    [InlineData(250, 1, false)]
    [InlineData(512, 2, true)]
    [InlineData(500, 1, true)]
    [InlineData(128, 4, false)]
    public void AFileAtAnotherRateIsStreamedAndResampledAsTheWholeFileLoaderDoes(int rate, int recordSeconds, bool bdf)
    {
        using var folder = new TempFolder();
        var records = 40 / recordSeconds;
        var path = new TestEdfWriter
        {
            Bdf = bdf,
            RecordDuration = recordSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Records = records,
            Signals = [.. KaggleMontage.Columns.Select((c, i) => Signal(c == "EKG" ? "ECG" : $"EEG {c}-REF", rate * recordSeconds, records, i))],
        }.WriteTo(folder.Path, bdf ? "r.bdf" : "r.edf");
        AssertStreamedEqualsWhole(path, 10);
        AssertStreamedEqualsWhole(path, 3);
    }

    [Fact]
    public void SignalsAtDifferentRatesEndAtTheShortestAsInTheWholeFileLoader()
    {
        // Electrodes at 256 Hz, Fp1 at 512 Hz, the ECG at 100 Hz: lengths after resampling can differ by a sample.
        using var folder = new TempFolder();
        const int records = 33;
        var path = new TestEdfWriter
        {
            RecordDuration = "0.5",
            Records = records,
            Signals = [.. KaggleMontage.Columns.Select((c, i) => Signal(c == "EKG" ? "ECG" : $"EEG {c}", c switch { "Fp1" => 256, "EKG" => 50, _ => 128 }, records, i))],
        }.WriteTo(folder.Path, "mixed.edf");
        using (var chunked = ChunkedRecording.Open(path))
        {
            Assert.Equal(512, chunked.SourceSampleRateHz);
            Assert.Equal(16.5, chunked.DurationSeconds);
        }
        AssertStreamedEqualsWhole(path, 4);
    }
}
