using Hbac.Eeg.Montage;
using Hbac.Eeg.Spectrograms;

namespace Hbac.Eeg.Tests.Spectrograms;

public class EegSpectrogramTests
{
    [Fact]
    public void Every_column_including_the_zero_padded_edges_matches_the_definition()
    {
        // 3,000 samples: columns 0..7; 0, 1, 6 and 7 reach past an end; DC offsets and NaNs included.
        var recording = SyntheticEeg.Noise(3000, seed: 1);
        var spectrogram = EegSpectrogram.Compute(recording);
        Assert.Equal(8, spectrogram.Columns);
        for (var k = 0; k < spectrogram.Columns; k++)
        {
            var expected = SyntheticEeg.ReferenceColumn(recording, k);
            for (var row = 0; row < 400; row++)
            {
                Assert.Equal(expected[row], spectrogram[row, k], 1e-3 * expected[row] + 1e-6);
            }
        }
    }

    [Fact]
    public void A_10_hz_sine_peaks_in_the_9_96_hz_bin_of_every_region()
    {
        var spectrogram = EegSpectrogram.Compute(SyntheticEeg.SineOnFrontalPoles(12_000, 10.0, 50));
        for (var k = 2; k < spectrogram.Columns - 2; k++)
        {
            for (var region = 0; region < 4; region++)
            {
                var column = Enumerable.Range(0, 100).Select(f => spectrogram[region * 100 + f, k]).ToArray();
                var peak = Array.IndexOf(column, column.Max());
                // 10 Hz = 51.2 bins of 200/1024 Hz: bin 51, row 48 of the region.
                Assert.Equal(51 - SpectrogramLayout.FirstBin, peak);
            }
        }
    }

    [Fact]
    public void A_bin_centred_sine_has_the_power_the_recipe_predicts()
    {
        // Amplitude A at bin 51 exactly: |X| = A N / 4 (sum of the Hann window is N / 2), so one pair has
        // power (A N / 4)^2 / (200 * 3N/8) = A^2 N / 1200; the region averages 4 pairs, one of which has the sine.
        // The Hann window puts a quarter of that into each neighbouring bin and nothing elsewhere.
        const double amplitude = 10;
        var frequency = 51 * 200.0 / 1024;
        var spectrogram = EegSpectrogram.Compute(SyntheticEeg.SineOnFrontalPoles(20_000, frequency, amplitude));
        var expected = amplitude * amplitude * 1024 / 1200 / 4;
        for (var k = 2; k < spectrogram.Columns - 2; k++)
        {
            for (var region = 0; region < 4; region++)
            {
                var row = region * 100 + 51 - SpectrogramLayout.FirstBin;
                Assert.Equal(expected, spectrogram[row, k], expected * 1e-4);
                Assert.Equal(expected / 4, spectrogram[row - 1, k], expected * 1e-4);
                Assert.Equal(expected / 4, spectrogram[row + 1, k], expected * 1e-4);
                Assert.InRange(spectrogram[row - 10, k], 0, expected * 1e-6);
                Assert.InRange(spectrogram[row + 10, k], 0, expected * 1e-6);
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(399, 1)]
    [InlineData(400, 1)]
    [InlineData(401, 2)]
    [InlineData(10_000, 25)]
    public void There_is_one_column_for_every_centre_inside_the_recording_at_2_s_steps(int samples, int columns)
    {
        var spectrogram = EegSpectrogram.Compute(SyntheticEeg.Noise(samples, seed: 2));
        Assert.Equal(columns, spectrogram.Columns);
        Assert.Equal(Enumerable.Range(0, columns).Select(k => 2f * k), spectrogram.Times);
        Assert.All(spectrogram.Values, v => Assert.True(float.IsFinite(v) && v >= 0));
    }

    [Fact]
    public void An_empty_recording_has_no_columns()
    {
        Assert.Equal(0, EegSpectrogram.Compute(SyntheticEeg.Noise(0, seed: 3)).Columns);
    }

    [Fact]
    public void Scalar_and_vectorised_kernels_on_any_number_of_threads_give_identical_bits()
    {
        var recording = SyntheticEeg.Noise(40_000, seed: 4);
        var reference = EegSpectrogram.Compute(recording, SpectrogramKernel.Scalar, 1).Values;
        Assert.Equal(reference, EegSpectrogram.Compute(recording, SpectrogramKernel.Vectorized, 1).Values);
        Assert.Equal(reference, EegSpectrogram.Compute(recording, SpectrogramKernel.Vectorized, -1).Values);
        Assert.Equal(reference, EegSpectrogram.Compute(recording, SpectrogramKernel.Scalar, 2).Values);
    }

    [Fact]
    public void Missing_electrodes_are_named()
    {
        var full = SyntheticEeg.Noise(1000, seed: 5);
        var keep = Enumerable.Range(0, 20).Where(c => KaggleMontage.Columns[c] is not ("T3" or "O2" or "Cz")).ToArray();
        var partial = new EegRecording(
            [.. keep.Select(c => full.Channels[c])], [.. keep.Select(c => full.Samples[c])], 200);
        var error = Assert.Throws<EegDataException>(() => EegSpectrogram.Compute(partial));
        Assert.Equal("EEG lacks electrodes T3, O2 needed for the spectrogram montage", error.Message);
    }

    [Fact]
    public void A_recording_read_a_minute_at_a_time_gives_the_whole_recordings_spectrogram()
    {
        using var folder = new TempFolder();
        var path = folder.File("r.edf");
        var random = new Random(4);
        var labels = KaggleMontage.Columns.Select(c => $"EEG {c}").ToList();
        using (var writer = new Hbac.Eeg.Formats.Edf.EdfPlusWriter(path, labels, 250, -3276.7, 3276.7, 137, [], DateTime.UnixEpoch))
        {
            writer.Write([.. labels.Select(_ => Enumerable.Range(0, 250 * 137).Select(_ => (float)(random.NextDouble() * 80 - 40)).ToArray())]);
        }
        using var recording = Hbac.Eeg.Formats.ChunkedRecording.Open(path);
        var read = new List<double>();

        var streamed = EegSpectrogram.Compute(recording, read.Add);

        var whole = EegSpectrogram.Compute(Hbac.Eeg.Formats.Edf.EdfRecordingLoader.Load(path));
        Assert.Equal(69, streamed.Columns);   // ceil(137 * 200 / 400)
        Assert.Equal(whole.Times, streamed.Times);
        Assert.Equal(whole.Values, streamed.Values);
        Assert.Equal([60.0, 120.0, 137.0], read);
    }

    [Fact]
    public void Fz_Cz_and_Pz_are_not_needed_since_no_chain_reads_them()
    {
        var full = SyntheticEeg.Noise(1000, seed: 5);
        var keep = Enumerable.Range(0, 20).Where(c => KaggleMontage.Columns[c] is not ("Fz" or "Cz" or "Pz" or "EKG")).ToArray();
        var partial = new EegRecording(
            [.. keep.Select(c => full.Channels[c])], [.. keep.Select(c => full.Samples[c])], 200);
        Assert.Equal(EegSpectrogram.Compute(full).Values, EegSpectrogram.Compute(partial).Values);
    }

    [Fact]
    public void Other_sample_rates_are_rejected()
    {
        var full = SyntheticEeg.Noise(1000, seed: 6);
        var at256 = new EegRecording(full.Channels, full.Samples, 256);
        var error = Assert.Throws<EegDataException>(() => EegSpectrogram.Compute(at256));
        Assert.Contains("256 Hz", error.Message);
    }
}
