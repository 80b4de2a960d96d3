using System.Buffers.Binary;
using System.Text;
using CsCheck;
using Hbac.Eeg.Formats.Edf;
using Hbac.Eeg.Formats.Npy;
using Hbac.Eeg.Formats.Parquet;
using Hbac.Fuzz.Targets;

namespace Hbac.Eeg.Tests.Hardening;

/// <summary>
/// Property tests (CsCheck): any byte-level damage of a small valid file (bit flips, truncation, extreme
/// numbers written over header fields, inserted bytes, extreme integers in a parquet footer) either reads
/// or raises the reader's own <see cref="EegDataException"/> - no other exception - and allocates no more
/// than a bound derived from the file's length and the readers' stated limits. The entry points are the
/// fuzz harness's (<see cref="ReaderTargets"/>).
/// </summary>
public class ReaderMutationProperties
{
    /// <summary>One damage: what, where (a fraction of the file, or of its header region), and which extreme value.</summary>
    private sealed record Mutation(int Kind, double Where, int Value, bool InHeader);

    private static readonly string[] TextNumbers =
        ["-1", "0", "2147483647", "-2147483648", "99999999", "1e308", "-1e308", "1e38", "NaN", "Infinity", "1e-8", "4294967295", "0.00001", "-0"];

    private static readonly long[] BinaryNumbers = [-1, 0, int.MaxValue, int.MinValue, uint.MaxValue, 1L << 40, long.MaxValue, 301];

    private static readonly Gen<Mutation[]> Mutations =
        Gen.Select(Gen.Int[0, 5], Gen.Double[0, 1], Gen.Int[0, 1000], Gen.Bool, (kind, where, value, header) => new Mutation(kind, where, value, header))
            .Array[1, 3];

    private static byte[] Apply(byte[] original, Mutation[] mutations, bool parquet)
    {
        var bytes = original;
        foreach (var m in mutations)
        {
            if (bytes.Length == 0)
            {
                break;
            }
            var span = m.InHeader ? Math.Min(bytes.Length, 4096) : bytes.Length;
            var at = Math.Min(span - 1, (int)(m.Where * span));
            switch (m.Kind)
            {
                case 0:
                    bytes = (byte[])bytes.Clone();
                    bytes[at] ^= (byte)(1 << (m.Value % 8));
                    break;
                case 1:
                    bytes = bytes[..at];
                    break;
                case 2:
                    var text = Encoding.ASCII.GetBytes(TextNumbers[m.Value % TextNumbers.Length].PadRight(8));
                    bytes = (byte[])bytes.Clone();
                    text.AsSpan(0, Math.Min(text.Length, bytes.Length - at)).CopyTo(bytes.AsSpan(at));
                    break;
                case 3:
                    var binary = new byte[8];
                    BinaryPrimitives.WriteInt64LittleEndian(binary, BinaryNumbers[m.Value % BinaryNumbers.Length]);
                    bytes = (byte[])bytes.Clone();
                    binary.AsSpan(0, Math.Min(m.Value % 2 == 0 ? 4 : 8, bytes.Length - at)).CopyTo(bytes.AsSpan(at));
                    break;
                case 4:
                    bytes = [.. bytes[..at], .. Enumerable.Repeat((byte)m.Value, 1 + m.Value % 5), .. bytes[at..]];
                    break;
                default:
                    bytes = parquet ? FooterInteger(bytes, m) : bytes;
                    break;
            }
        }
        return bytes;
    }

    /// <summary>Sets one integer of the parquet footer (a row count, value count, size, offset, type...) to an extreme value.</summary>
    private static byte[] FooterInteger(byte[] bytes, Mutation m)
    {
        ParquetSurgery surgery;
        try
        {
            surgery = new ParquetSurgery(bytes);
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or NotSupportedException or InvalidCastException)
        {
            return bytes; // an earlier mutation already broke the footer
        }
        var integers = new List<ThriftField>();
        void Collect(ThriftStruct s)
        {
            foreach (var f in s.Fields)
            {
                switch (f.Value)
                {
                    case long:
                        integers.Add(f);
                        break;
                    case ThriftStruct nested:
                        Collect(nested);
                        break;
                    case ThriftList list:
                        foreach (var item in list.Items.OfType<ThriftStruct>())
                        {
                            Collect(item);
                        }
                        break;
                }
            }
        }
        Collect(surgery.Footer);
        if (integers.Count == 0)
        {
            return bytes;
        }
        var field = integers[(int)(m.Where * integers.Count) % integers.Count];
        var value = BinaryNumbers[m.Value % BinaryNumbers.Length];
        field.Value = field.Type == 6 ? value : Math.Clamp(value, int.MinValue, int.MaxValue);
        return surgery.ToBytes();
    }

    private static void Check(string target, byte[] valid, long allocationBound, long iterations, bool parquet = false)
    {
        var read = ReaderTargets.All[target];
        Assert.True(read(valid), "the unmutated file must read");
        var refused = 0;
        Mutations.Sample(mutations =>
        {
            var bytes = Apply(valid, mutations, parquet);
            var before = GC.GetAllocatedBytesForCurrentThread();
            if (!read(bytes))
            {
                Interlocked.Increment(ref refused);
            }
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated <= allocationBound,
                $"{target}: {allocated} bytes allocated for a {bytes.Length}-byte input (bound {allocationBound}); mutations {string.Join(", ", mutations.Select(x => x.ToString()))}");
        }, iter: iterations, threads: 1);
        // The damage must reach the checks: most mutated files are refused, not all read unchanged.
        Assert.True(refused > iterations / 10, $"{target}: only {refused} of {iterations} mutated files were refused");
    }

    // Allocation bounds follow from the readers' limits: a parquet column chunk holds at most
    // ParquetLayout.MaxValuesPerStoredByte values per stored byte (each decoded through ~16 bytes of buffers,
    // plus Parquet.Net's fixed per-column pools); an EDF signal at the lowest accepted rate resamples to
    // 200 / EdfReader.MinSampleRateHz = 2,000 floats per stored 2-byte sample; .npy data is never more than
    // 1.5x the file (float64 read then narrowed); a CSV record costs its strings and fields.
    [Fact]
    public void DamagedSpectrogramParquetIsReadOrRefused()
    {
        var valid = HardeningFiles.Spectrogram(columns: 3);
        Check("spectrogram-parquet", valid, ParquetLayout.MaxValuesPerStoredByte * 16L * valid.Length + (256L << 20), iterations: 1000, parquet: true);
    }

    [Fact]
    public void DamagedEegParquetIsReadOrRefused()
    {
        var valid = HardeningFiles.Eeg(rows: 50);
        Check("eeg-parquet", valid, ParquetLayout.MaxValuesPerStoredByte * 16L * valid.Length + (64L << 20), iterations: 2000, parquet: true);
    }

    [Fact]
    public void DamagedEdfIsReadOrRefused()
    {
        var valid = new Edf.TestEdfWriter
        {
            Records = 2,
            Reserved = "EDF+C",
            Signals = [.. Hbac.Eeg.Montage.KaggleMontage.Electrodes.Select(e => Edf.TestEdfSignal.Constant(e, 10, 2, 100))],
            AnnotationRecords = ["+0\u0014\u0014\0", "+1\u0014\u0014\0"],
        }.ToBytes();
        var perStoredSample = (long)Math.Ceiling(200 / EdfReader.MinSampleRateHz) * sizeof(float);
        Check("edf", valid, perStoredSample * valid.Length + (16L << 20), iterations: 8000);
    }

    [Fact]
    public void DamagedNpyIsReadOrRefused()
    {
        var stream = new MemoryStream();
        NpyWriter.Write(stream, Enumerable.Range(0, 400 * 2).Select(i => (float)i).ToArray(), [400, 2]);
        var valid = stream.ToArray();
        Check("npy", valid, 2L * valid.Length + (1L << 20), iterations: 15000);
    }

    [Fact]
    public void DamagedCsvIsReadOrRefused()
    {
        var valid = Encoding.UTF8.GetBytes(
            "eeg_id,eeg_sub_id,eeg_label_offset_seconds,spectrogram_id,spectrogram_sub_id,spectrogram_label_offset_seconds,label_id,patient_id,expert_consensus,seizure_vote,lpd_vote,gpd_vote,lrda_vote,grda_vote,other_vote\n" +
            "1628180742,0,0.0,353733,0,0.0,127492639,42516,Seizure,3,0,0,0,0,0\n" +
            "2277392603,1,6.0,924234,1,6.0,1978807404,30539,GPD,0,0,5,0,1,5\n");
        Check("csv", valid, 64L * valid.Length + (1L << 20), iterations: 15000);
    }
}
