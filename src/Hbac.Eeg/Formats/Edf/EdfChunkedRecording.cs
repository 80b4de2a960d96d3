using Hbac.Eeg.Montage;
using Hbac.Eeg.Reports;
using Hbac.Eeg.Resampling;

namespace Hbac.Eeg.Formats.Edf;

/// <summary>
/// An EDF/BDF read data record by data record (records are fixed-size blocks), so a 24-hour file costs a
/// few records of memory instead of the whole file, at any sample rate: a signal not at 200 Hz goes through
/// a <see cref="StreamingResampler"/>, which gives what resampling the whole signal gives (the
/// <see cref="EdfRecordingLoader"/>), bit for bit. Annotations are collected from the TAL channel as the
/// records go by. The gaps of an EDF+D / BDF+D file are fed in as missing samples a chunk at a time, so a
/// long gap costs no more memory than a chunk. Each chunk also carries the quality statistics of the seconds the
/// judged signals completed at the file's own rate (<see cref="RecordingChunk.SourceSeconds"/>): a signal clipped
/// at 256 Hz is no longer pinned to its rail once resampled to 200 Hz.
/// </summary>
internal sealed class EdfChunkedRecording : ChunkedRecording
{
    private readonly EdfHeader _header;
    private readonly EdfMontage _montage;
    private readonly EdfRecordTimes _times;
    private readonly List<EdfAnnotation> _annotations = [];

    private EdfChunkedRecording(EdfHeader header, EdfMontage montage, EdfRecordTimes times)
    {
        _header = header;
        _montage = montage;
        _times = times;
    }

    public override IReadOnlyList<EdfAnnotation> Annotations => _annotations;

    public static ChunkedRecording OpenFile(string path)
    {
        var (header, times) = ReadHeader(path);
        var montage = EdfMontage.Resolve([.. header.Signals.Select(s => s.IsAnnotation ? null : s.Label)], path);
        var ekg = montage.SignalOfColumn[KaggleMontage.ColumnIndex("EKG")];
        return new EdfChunkedRecording(header, montage, times)
        {
            Source = path,
            Format = EdfFormatNames.Variant(header.Format, header.Reserved),
            Labels = [.. header.Signals.Where(s => !s.IsAnnotation).Select(s => s.Label)],
            Mapped = montage.Mapped,
            Montage = montage.Kind,
            Electrodes = montage.Electrodes,
            SourceSampleRateHz = montage.Signals.Where(s => s != ekg).Max(s => header.Signals[s].SamplesPerRecord / header.RecordDurationSeconds),
            DurationSeconds = times.SpanSeconds,
            Gaps = times.Gaps,
            Streamed = true,
        };
    }

    private static (EdfHeader, EdfRecordTimes) ReadHeader(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 12);
        var header = EdfReader.ReadHeader(file, path);
        return (header, EdfRecordTimes.Read(file, header, path));
    }

    /// <summary>One signal read into a column (or a bipolar file's chain): decoded, placed, resampled, queued at 200 Hz.</summary>
    private sealed class SignalReader(int signal, int sign, int samplesPerRecord, double rateHz)
    {
        public int Signal { get; } = signal;

        public int Sign { get; } = sign;

        public int SamplesPerRecord { get; } = samplesPerRecord;

        public double RateHz { get; } = rateHz;

        public float[] Decoded { get; } = new float[samplesPerRecord];

        public StreamingResampler Resampler { get; } = new(rateHz, KaggleMontage.SampleRateHz);

        public SampleQueue Queue { get; } = new();

        /// <summary>The signal's statistics per second at its own rate, for quality.</summary>
        public SourceSeconds Seconds { get; } = new(rateHz);

        /// <summary>Source samples placed so far, gaps included.</summary>
        public long Cursor { get; set; }
    }

    /// <summary>
    /// Cuts one signal's source samples into seconds (second k ends at sample floor((k + 1) x rate), so a rate that
    /// is not a whole number of Hz keeps its seconds in step with time) and keeps each completed second's statistics.
    /// </summary>
    private sealed class SourceSeconds(double rateHz)
    {
        private readonly float[] _second = new float[(int)Math.Ceiling(rateHz) + 1];
        private int _length;
        private long _samples;
        private long _completed;

        public Queue<SecondStatistics> Completed { get; } = new();

        public void Append(ReadOnlySpan<float> samples)
        {
            while (!samples.IsEmpty)
            {
                var end = (long)Math.Floor((_completed + 1) * rateHz);
                var take = (int)Math.Min(samples.Length, end - _samples);
                samples[..take].CopyTo(_second.AsSpan(_length));
                (_length, _samples) = (_length + take, _samples + take);
                samples = samples[take..];
                if (_samples == end)
                {
                    Completed.Enqueue(SecondStatistics.Of(_second.AsSpan(0, _length)));
                    (_length, _completed) = (0, _completed + 1);
                }
            }
        }
    }

    public override IEnumerable<RecordingChunk> ReadChunks(int seconds)
    {
        _annotations.Clear();
        var header = _header;
        var columnReaders = Enumerable.Range(0, KaggleMontage.Columns.Count)
            .Select(c => _montage.SignalOfColumn[c] is var s and >= 0 ? Reader(s, 1) : null).ToArray();
        var chainReaders = _montage.Chains?.Select(c => Reader(c.Signal, c.Sign)).ToArray() ?? [];
        SignalReader[] readers = [.. columnReaders.OfType<SignalReader>(), .. chainReaders];
        // What quality judges, as SignalQualityTracker.For takes it: a bipolar file's chains, else the 19 electrodes.
        var judged = _montage.Chains is null
            ? KaggleMontage.Electrodes.Select(e => columnReaders[KaggleMontage.ColumnIndex(e)]).ToArray()
            : chainReaders;
        var chunkSamples = Math.Max(1, seconds) * KaggleMontage.SampleRateHz;
        // Never more records than the file holds: the block is then bounded by the file's length.
        var recordsPerBlock = (int)Math.Clamp(Math.Round(seconds / header.RecordDurationSeconds), 1, header.RecordCount);
        var annotationSignals = Enumerable.Range(0, header.Signals.Count).Where(i => header.Signals[i].IsAnnotation).ToList();
        var raw = new List<(double Onset, double? Duration, string Text)>();
        double? startOffset = null;
        using var file = new FileStream(Source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        file.Seek(header.HeaderBytes, SeekOrigin.Begin);
        var block = new byte[header.RecordBytes * recordsPerBlock];
        for (var first = 0; first < header.RecordCount; first += recordsPerBlock)
        {
            var records = Math.Min(recordsPerBlock, header.RecordCount - first);
            file.ReadExactly(block.AsSpan(0, (int)(records * header.RecordBytes)));
            for (var r = 0; r < records; r++)
            {
                // A gap of an EDF+D file: every signal gets its missing samples, a chunk's worth at a time.
                var gaps = readers.Select(s => _times.SampleStart(first + r, s.SamplesPerRecord, s.Cursor) - s.Cursor).ToArray();
                while (gaps.Any(g => g > 0))
                {
                    for (var i = 0; i < readers.Length; i++)
                    {
                        var n = (int)Math.Min(gaps[i], (long)Math.Ceiling(seconds * readers[i].RateHz));
                        if (n > 0)
                        {
                            var missing = new float[n];
                            missing.AsSpan().Fill(float.NaN);
                            Feed(readers[i], missing);
                            gaps[i] -= n;
                        }
                    }
                    foreach (var chunk in FullChunks(columnReaders, chainReaders, readers, judged, chunkSamples))
                    {
                        yield return chunk;
                    }
                }
                var record = block.AsSpan((int)(r * header.RecordBytes), (int)header.RecordBytes);
                foreach (var reader in readers)
                {
                    var h = header.Signals[reader.Signal];
                    var microvolts = reader.Sign * (h.MicrovoltsPerUnit ?? 1.0);
                    EdfReader.Decode(header.SignalBytes(record, reader.Signal), reader.Decoded, header.BytesPerSample, h.Gain * microvolts, h.Offset * microvolts);
                    Feed(reader, reader.Decoded);
                }
                for (var a = 0; a < annotationSignals.Count; a++)
                {
                    var onset = TalParser.ParseRecord(header.SignalBytes(record, annotationSignals[a]), a == 0, raw, Source, first + r);
                    if (first + r == 0 && a == 0 && onset is { } o)
                    {
                        startOffset = o;
                    }
                }
                foreach (var (onset, duration, text) in raw)
                {
                    _annotations.Add(new EdfAnnotation(onset - (startOffset ?? 0), duration, text));
                }
                raw.Clear();
                foreach (var chunk in FullChunks(columnReaders, chainReaders, readers, judged, chunkSamples))
                {
                    yield return chunk;
                }
            }
        }
        foreach (var reader in readers)
        {
            reader.Queue.Append(reader.Resampler.Finish());
        }
        // As the whole-file loader: signals whose resampled lengths differ by rounding end at the shortest.
        for (var left = readers.Min(s => s.Queue.Count); left > 0; left -= chunkSamples)
        {
            yield return Take(columnReaders, chainReaders, judged, Math.Min(left, chunkSamples));
        }

        SignalReader Reader(int signal, int sign)
        {
            var samples = header.Signals[signal].SamplesPerRecord;
            return new SignalReader(signal, sign, samples, samples / header.RecordDurationSeconds);
        }
    }

    private static void Feed(SignalReader reader, ReadOnlySpan<float> samples)
    {
        reader.Queue.Append(reader.Resampler.Push(samples));
        reader.Seconds.Append(samples);
        reader.Cursor += samples.Length;
    }

    private IEnumerable<RecordingChunk> FullChunks(SignalReader?[] columnReaders, SignalReader[] chainReaders, SignalReader[] readers, SignalReader?[] judged, int chunkSamples)
    {
        while (readers.All(s => s.Queue.Count >= chunkSamples))
        {
            yield return Take(columnReaders, chainReaders, judged, chunkSamples);
        }
    }

    /// <summary>
    /// The seconds every judged signal has completed at its own rate, taken off their queues: the source runs ahead
    /// of the resampled columns, so a segment's seconds are in before any window that holds it.
    /// </summary>
    private static SecondStatistics[][] CompletedSeconds(SignalReader?[] judged)
    {
        var present = judged.OfType<SignalReader>().ToArray();
        var count = present.Length == 0 ? 0 : present.Min(r => r.Seconds.Completed.Count);
        var seconds = new SecondStatistics[count][];
        for (var k = 0; k < count; k++)
        {
            // An electrode the file lacks stays empty: the tracker judges only those the recording has.
            seconds[k] = [.. judged.Select(r => r?.Seconds.Completed.Dequeue() ?? default)];
        }
        return seconds;
    }

    /// <summary>The next <paramref name="samples"/> of every column; a bipolar file's chains become the chain electrodes, and are kept.</summary>
    private static RecordingChunk Take(SignalReader?[] columnReaders, SignalReader[] chainReaders, SignalReader?[] judged, int samples)
    {
        var chunk = new float[KaggleMontage.Columns.Count][];
        for (var c = 0; c < chunk.Length; c++)
        {
            chunk[c] = new float[samples];
            columnReaders[c]?.Queue.Take(chunk[c]);
        }
        if (chainReaders.Length > 0)
        {
            var chains = chainReaders.Select(reader =>
            {
                var values = new float[samples];
                reader.Queue.Take(values);
                return values;
            }).ToArray();
            BipolarChains.ToElectrodes(chains, samples, chunk, 0);
            return new RecordingChunk(chunk, chains, CompletedSeconds(judged));
        }
        return new RecordingChunk(chunk, Chains: null, CompletedSeconds(judged));
    }
}
