using Hbac.Fuzz.Targets;

namespace Hbac.Eeg.Tests.Hardening;

/// <summary>
/// Every input the fuzz harness (tests/Hbac.Fuzz) found that crashed, hung or allocated without bound,
/// replayed through the same entry point: each must now read, or be refused with the reader's own
/// exception, quickly and within a bounded allocation. Files: FuzzCorpus/&lt;target&gt;/*.bin.
/// </summary>
public class FuzzCorpusReplayTests
{
    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        var root = Path.Combine(AppContext.BaseDirectory, "FuzzCorpus");
        foreach (var folder in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            foreach (var file in Directory.GetFiles(folder, "*.bin").Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileName(folder), Path.GetFileName(file));
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void AFoundInputIsReadOrRefusedWithinBounds(string target, string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "FuzzCorpus", target, file));
        var started = System.Diagnostics.Stopwatch.StartNew();
        var before = GC.GetAllocatedBytesForCurrentThread();
        ReaderTargets.All[target](bytes);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // Each of these once took over 10 s or more than 512 MB.
        Assert.InRange(allocated, 0, 256L << 20);
        Assert.InRange(started.Elapsed.TotalSeconds, 0, 5);
    }

    [Fact]
    public void TheCorpusIsPresent() => Assert.NotEmpty(Inputs());
}
