using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Labels;
using Hbac.Eeg.Montage;
using Hbac.Eeg.Randomness;
using Hbac.Eeg.Spectrograms;

namespace Hbac.Eeg.Synthetic;

/// <summary>
/// Turns one planned recording into files: its raw 20-channel EEG (background, artefacts, the class
/// patterns of its events), the spectrogram of the whole recording computed from that EEG (transform 7),
/// and the EEG excerpts around the labels.
/// </summary>
internal static class RecordingSynthesizer
{
    private const int Rate = KaggleMontage.SampleRateHz;

    /// <summary>What <see cref="DrawnClasses"/> gives where fewer than two classes show their pattern.</summary>
    public const int NoPattern = -1;

    public static float[][] SynthesizeEeg(RecordingPlan plan, PatientTraits traits)
    {
        var rng = new DeterministicRandom(plan.Seed);
        var length = plan.DurationSeconds * Rate;
        var channels = new float[KaggleMontage.Columns.Count][];
        for (var c = 0; c < channels.Length; c++)
        {
            channels[c] = new float[length];
        }
        BackgroundActivity.Add(channels, traits, rng);
        Artefacts.Add(channels, traits, rng);
        foreach (var eeg in plan.Eegs)
        {
            foreach (var (classIndex, strength) in VisiblePatterns(eeg.Truth))
            {
                ClassPatterns.Add(channels, classIndex, strength, eeg.EventStartSeconds * Rate, eeg.EventEndSeconds * Rate, traits.AmplitudeScale, rng);
            }
        }
        if (plan.Dropout is { } dropout)
        {
            foreach (var channel in channels)
            {
                channel.AsSpan(dropout.StartSeconds * Rate, dropout.Seconds * Rate).Fill(float.NaN);
            }
        }
        return channels;
    }

    /// <summary>The non-"Other" classes of a mixture that leave a trace in the EEG, with their strengths (<see cref="DrawnClasses"/>).</summary>
    public static IEnumerable<(int ClassIndex, double Strength)> VisiblePatterns(IReadOnlyList<double> truth)
    {
        var (first, second) = DrawnClasses(truth);
        foreach (var classIndex in new[] { first, second }.Where(c => c != NoPattern))
        {
            yield return (classIndex, VoteModel.PatternStrength(truth[classIndex]));
        }
    }

    /// <summary>
    /// The classes whose pattern is drawn: at most the two strongest non-"Other" classes with any strength, strongest
    /// first, a tie going to the lower class index; <see cref="NoPattern"/> where there are fewer. It allocates
    /// nothing: the perfect reader asks it three million times.
    /// </summary>
    public static (int First, int Second) DrawnClasses(IReadOnlyList<double> truth)
    {
        int first = NoPattern, second = NoPattern;
        double firstStrength = 0, secondStrength = 0;
        for (var c = 0; c < EegClasses.Count - 1; c++)
        {
            var strength = VoteModel.PatternStrength(truth[c]);
            if (strength <= 0)
            {
                continue;
            }
            if (strength > firstStrength)
            {
                (second, secondStrength) = (first, firstStrength);
                (first, firstStrength) = (c, strength);
            }
            else if (strength > secondStrength)
            {
                (second, secondStrength) = (c, strength);
            }
        }
        return (first, second);
    }

    /// <summary>Kaggle-layout spectrogram of the whole recording: one column per 2 s, times 1, 3, 5, ...</summary>
    public static Spectrogram ComputeSpectrogram(float[][] channels, int durationSeconds)
    {
        // One thread per recording: the generator already runs recordings in parallel.
        var computed = EegSpectrogram.Compute(new EegRecording(KaggleMontage.Columns, channels, Rate), SpectrogramKernel.Vectorized, maxDegreeOfParallelism: 1);
        var columns = durationSeconds / 2;
        if (computed.Columns < columns)
        {
            throw new InvalidOperationException($"transform 7 gave {computed.Columns} columns for {durationSeconds} s, expected {columns}");
        }
        var values = new float[SpectrogramLayout.Rows * columns];
        for (var r = 0; r < SpectrogramLayout.Rows; r++)
        {
            computed.Row(r)[..columns].CopyTo(values.AsSpan(r * columns, columns));
        }
        var times = new float[columns];
        for (var k = 0; k < columns; k++)
        {
            times[k] = 2 * k + 1;
        }
        return new Spectrogram(values, times);
    }

    public static EegRecording Excerpt(float[][] channels, int startSeconds, int durationSeconds)
    {
        var samples = channels.Select(c => c.AsSpan(startSeconds * Rate, durationSeconds * Rate).ToArray()).ToArray();
        return new EegRecording(KaggleMontage.Columns, samples, Rate);
    }

    public static void WriteFiles(RecordingPlan plan, PatientTraits traits, string outputFolder)
    {
        var channels = SynthesizeEeg(plan, traits);
        var split = plan.IsTest ? "test" : "train";
        SpectrogramParquetWriter.Write(
            Path.Combine(outputFolder, $"{split}_spectrograms", $"{plan.SpectrogramId}.parquet"),
            ComputeSpectrogram(channels, plan.DurationSeconds));
        foreach (var eeg in plan.Eegs)
        {
            EegParquetWriter.Write(
                Path.Combine(outputFolder, $"{split}_eegs", $"{eeg.EegId}.parquet"),
                Excerpt(channels, eeg.StartSeconds, eeg.DurationSeconds));
        }
    }
}
