using Hbac.Eeg.Formats.Edf;
using Hbac.Eeg.Labels;
using Hbac.Eeg.Montage;
using Hbac.Eeg.Randomness;
using Hbac.Eeg.Reports;
using Hbac.Eeg.Resampling;

namespace Hbac.Eeg.Synthetic;

/// <summary>
/// Long continuous recordings for event-level evaluation (issue 11): a patient's background and artefacts
/// with seizures and the other patterns at known times, written block by block as EDF+C (19 electrodes
/// and EKG at 200 Hz, or resampled to <see cref="LongRecordingOptions.SampleRateHz"/> as it is written; the
/// events also as EDF+ annotations) with the truth beside it as
/// <c>&lt;name&gt;.truth.csv</c>. The recording is made of 10-minute blocks, each holding at most one
/// event well inside it (so an event never straddles a block); neighbouring blocks are cross-faded over
/// 2 s so the background has no steps. Events: seizures of 40-180 s in 35 % of the blocks, one of LPD,
/// GPD, LRDA or GRDA for 60-300 s in 30 %, none in the rest; pattern strength 0.8-1.
/// </summary>
public static class LongRecordings
{
    private const int Rate = KaggleMontage.SampleRateHz;
    public const int BlockSeconds = 600;
    private const int FadeSeconds = 2;
    private const int MarginSeconds = 60;

    /// <summary>The EDF's physical range (uV): EEG, artefacts and the ECG stay well inside it.</summary>
    public const double PhysicalRange = 3276.7;

    public static IReadOnlyList<LongRecordingSummary> Generate(LongRecordingOptions options, IProgress<SyntheticProgress>? progress = null, CancellationToken ct = default)
    {
        if (options.Recordings < 1 || !(options.Hours > 0))
        {
            throw new ArgumentException("at least one recording of a positive length is required", nameof(options));
        }
        if (options.SampleRateHz is < 100 or > 4096)
        {
            throw new ArgumentException($"sample rate {options.SampleRateHz} Hz: 100 to 4096 Hz", nameof(options));
        }
        Directory.CreateDirectory(options.OutputFolder);
        var rng = new DeterministicRandom(options.Seed);
        var seeds = Enumerable.Range(0, options.Recordings).Select(_ => rng.NextUInt64()).ToArray();
        var summaries = new LongRecordingSummary[options.Recordings];
        var done = 0;
        Parallel.For(0, options.Recordings,
            new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = options.MaxDegreeOfParallelism ?? Environment.ProcessorCount },
            i =>
            {
                summaries[i] = WriteRecording(options, i, seeds[i], ct);
                progress?.Report(new SyntheticProgress(Interlocked.Increment(ref done), options.Recordings));
            });
        return summaries;
    }

    /// <summary>The events of a recording, one block at a time (at most one per block, inside its margins).</summary>
    public static IReadOnlyList<AnnotatedEvent> PlanEvents(int blocks, DeterministicRandom rng)
    {
        var events = new List<AnnotatedEvent>();
        for (var b = 0; b < blocks; b++)
        {
            var draw = rng.NextDouble();
            if (draw >= 0.65)
            {
                continue;
            }
            var classIndex = draw < 0.35 ? 0 : 1 + rng.NextInt(4);
            var duration = classIndex == 0 ? rng.NextInt(40, 181) : rng.NextInt(60, 301);
            var onset = b * BlockSeconds + MarginSeconds + rng.NextInt(BlockSeconds - 2 * MarginSeconds - duration);
            events.Add(new AnnotatedEvent(onset, onset + duration, classIndex));
        }
        return events;
    }

    private static LongRecordingSummary WriteRecording(LongRecordingOptions options, int index, ulong seed, CancellationToken ct)
    {
        var rng = new DeterministicRandom(seed);
        var traits = PatientTraits.Draw(rng, favouredClass: 0);
        var seconds = (int)Math.Round(options.Hours * 3600);
        var blocks = (seconds + BlockSeconds - 1) / BlockSeconds;
        var events = PlanEvents(blocks, rng).Where(e => e.OffsetSeconds <= seconds).ToList();
        var name = $"long_{index + 1:000}";
        var edfPath = Path.Combine(options.OutputFolder, name + ".edf");
        var truthPath = Path.Combine(options.OutputFolder, name + ".truth.csv");
        var labels = KaggleMontage.Columns.Select(c => c == "EKG" ? "ECG EKG" : $"EEG {c}-REF").ToList();
        var annotations = events.Select(e => new EdfAnnotation(e.OnsetSeconds, e.OffsetSeconds - e.OnsetSeconds, e.ClassName)).ToList();
        using (var writer = new EdfPlusWriter(edfPath, labels, options.SampleRateHz, -PhysicalRange, PhysicalRange, seconds, annotations, new DateTime(2026, 1, 1, 0, 0, 0)))
        {
            var resamplers = options.SampleRateHz == Rate ? null : labels.Select(_ => new StreamingResampler(Rate, options.SampleRateHz)).ToArray();
            void Write(float[][] samples) =>
                writer.Write(resamplers is null ? samples : [.. samples.Select((channel, c) => resamplers[c].Push(channel).ToArray())]);
            float[][]? tail = null;
            for (var b = 0; b < blocks; b++)
            {
                ct.ThrowIfCancellationRequested();
                var block = SynthesizeBlock(traits, events, b, rng.Fork(), rng.NextDouble(0.8, 1.0));
                var fade = FadeSeconds * Rate;
                if (tail is not null)
                {
                    for (var c = 0; c < block.Length; c++)
                    {
                        for (var n = 0; n < fade; n++)
                        {
                            var w = (n + 0.5f) / fade;
                            block[c][n] = (1 - w) * tail[c][n] + w * block[c][n];
                        }
                    }
                }
                var length = Math.Min(BlockSeconds * Rate, (seconds - b * BlockSeconds) * Rate);
                Write([.. block.Select(c => c[..length])]);
                tail = [.. block.Select(c => c[(BlockSeconds * Rate)..])];
            }
            if (resamplers is not null)
            {
                // Every channel had the same samples in, so the same number out: seconds * rate in all.
                writer.Write([.. resamplers.Select(r => r.Finish().ToArray())]);
            }
        }
        TruthFile.Write(truthPath, events);
        return new LongRecordingSummary(edfPath, truthPath, seconds / 3600.0, events.Count(e => e.ClassIndex == 0), events.Count(e => e.ClassIndex != 0));
    }

    /// <summary>One block plus the 2 s the next block fades in over.</summary>
    private static float[][] SynthesizeBlock(PatientTraits traits, IReadOnlyList<AnnotatedEvent> events, int block, DeterministicRandom rng, double strength)
    {
        var length = (BlockSeconds + FadeSeconds) * Rate;
        var channels = Enumerable.Range(0, KaggleMontage.Columns.Count).Select(_ => new float[length]).ToArray();
        BackgroundActivity.Add(channels, traits, rng);
        Artefacts.Add(channels, traits, rng);
        var blockStart = block * BlockSeconds;
        foreach (var e in events.Where(e => e.OnsetSeconds >= blockStart && e.OffsetSeconds <= blockStart + BlockSeconds))
        {
            ClassPatterns.Add(channels, e.ClassIndex, strength, (int)((e.OnsetSeconds - blockStart) * Rate), (int)((e.OffsetSeconds - blockStart) * Rate), traits.AmplitudeScale, rng);
        }
        return channels;
    }
}
