using Hbac.Eeg.Montage;

namespace Hbac.Eeg.Formats.Edf;

/// <summary>
/// An EDF/BDF read data record by data record (records are fixed-size blocks), so a 24-hour file costs a
/// few records of memory instead of the whole file. Used when every montage signal is at 200 Hz; other
/// rates go through <see cref="InMemoryChunkedRecording.FromEdf"/> (loaded whole and resampled).
/// Annotations are collected from the TAL channel as the records go by. The gaps of an EDF+D / BDF+D file
/// come out as chunks of NaN, at most a chunk long each, so a long gap costs no more memory than a record.
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
        if (montage.Signals.Any(s => Math.Abs(header.Signals[s].SamplesPerRecord / header.RecordDurationSeconds - KaggleMontage.SampleRateHz) > 1e-9))
        {
            // The resampler needs whole signals: load the file (its size is stated in the report).
            return InMemoryChunkedRecording.FromEdf(EdfReader.Read(path));
        }
        return new EdfChunkedRecording(header, montage, times)
        {
            Source = path,
            Format = EdfFormatNames.Variant(header.Format, header.Reserved),
            Labels = [.. header.Signals.Where(s => !s.IsAnnotation).Select(s => s.Label)],
            Mapped = montage.Mapped,
            Montage = montage.Kind,
            Electrodes = montage.Electrodes,
            SourceSampleRateHz = KaggleMontage.SampleRateHz,
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

    public override IEnumerable<float[][]> Chunks(int seconds)
    {
        _annotations.Clear();
        var header = _header;
        // Never more records than the file holds: the block is then bounded by the file's length.
        var recordsPerChunk = (int)Math.Clamp(Math.Round(seconds / header.RecordDurationSeconds), 1, header.RecordCount);
        var perRecord = (int)Math.Round(header.RecordDurationSeconds * KaggleMontage.SampleRateHz);
        var chunkSamples = recordsPerChunk * perRecord;
        var annotationSignals = Enumerable.Range(0, header.Signals.Count).Where(i => header.Signals[i].IsAnnotation).ToList();
        var raw = new List<(double Onset, double? Duration, string Text)>();
        double? startOffset = null;
        using var file = new FileStream(Source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        file.Seek(header.HeaderBytes, SeekOrigin.Begin);
        var block = new byte[header.RecordBytes * recordsPerChunk];
        var chunk = NewChunk(chunkSamples);
        // A bipolar file's chains of one record, before they become electrodes.
        var chains = _montage.Bipolar ? NewChunk(perRecord, KaggleMontage.Chains.Count) : null;
        var filled = 0;
        var cursor = 0L;   // samples per column handed out so far, gaps included
        for (var first = 0; first < header.RecordCount; first += recordsPerChunk)
        {
            var records = Math.Min(recordsPerChunk, header.RecordCount - first);
            file.ReadExactly(block.AsSpan(0, (int)(records * header.RecordBytes)));
            for (var r = 0; r < records; r++)
            {
                var at = _times.SampleStart(first + r, perRecord, cursor);
                if (at > cursor)
                {
                    // A gap of an EDF+D file: what came before it, then the gap as missing samples, chunk by chunk.
                    if (filled > 0)
                    {
                        yield return Trim(chunk, filled);
                        chunk = NewChunk(chunkSamples);
                        filled = 0;
                    }
                    for (var gap = at - cursor; gap > 0; gap -= chunkSamples)
                    {
                        yield return Missing((int)Math.Min(gap, chunkSamples));
                    }
                    cursor = at;
                }
                var record = block.AsSpan((int)(r * header.RecordBytes), (int)header.RecordBytes);
                Decode(record, perRecord, chunk, filled, chains);
                filled += perRecord;
                cursor += perRecord;
                for (var a = 0; a < annotationSignals.Count; a++)
                {
                    var signal = annotationSignals[a];
                    var onset = TalParser.ParseRecord(header.SignalBytes(record, signal), a == 0, raw, Source, first + r);
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
                if (filled == chunkSamples)
                {
                    yield return chunk;
                    chunk = NewChunk(chunkSamples);
                    filled = 0;
                }
            }
        }
        if (filled > 0)
        {
            yield return Trim(chunk, filled);
        }
    }

    private void Decode(ReadOnlySpan<byte> record, int perRecord, float[][] chunk, int at, float[][]? chains)
    {
        for (var c = 0; c < chunk.Length; c++)
        {
            if (_montage.SignalOfColumn[c] is var signal and >= 0)
            {
                DecodeSignal(record, signal, 1, chunk[c].AsSpan(at, perRecord));
            }
        }
        if (_montage.Chains is { } read)
        {
            for (var k = 0; k < read.Length; k++)
            {
                DecodeSignal(record, read[k].Signal, read[k].Sign, chains![k].AsSpan(0, perRecord));
            }
            BipolarChains.ToElectrodes(chains!, perRecord, chunk, at);
        }
    }

    private void DecodeSignal(ReadOnlySpan<byte> record, int signal, int sign, Span<float> target)
    {
        var h = _header.Signals[signal];
        var microvolts = sign * (h.MicrovoltsPerUnit ?? 1.0);
        EdfReader.Decode(_header.SignalBytes(record, signal), target, _header.BytesPerSample, h.Gain * microvolts, h.Offset * microvolts);
    }

    private static float[][] NewChunk(int samples, int columns = -1)
    {
        var chunk = new float[columns < 0 ? KaggleMontage.Columns.Count : columns][];
        for (var c = 0; c < chunk.Length; c++)
        {
            chunk[c] = new float[samples];
        }
        return chunk;
    }

    private static float[][] Trim(float[][] chunk, int samples) => [.. chunk.Select(c => c[..samples])];

    private static float[][] Missing(int samples)
    {
        var chunk = NewChunk(samples);
        foreach (var column in chunk)
        {
            column.AsSpan().Fill(float.NaN);
        }
        return chunk;
    }
}
