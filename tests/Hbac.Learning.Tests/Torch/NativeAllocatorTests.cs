using Hbac.Learning.Benchmarks;
using Hbac.Learning.Torch;

namespace Hbac.Learning.Tests.Torch;

// In the Torch collection: the resident-memory check must not overlap with tests that allocate or free native memory.
[Collection("Torch")]
public sealed class NativeAllocatorTests
{
    [Fact]
    public void TuneSucceedsOnGlibcLinux()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.False(NativeAllocator.Tune());
            return;
        }
        // The test host runs on glibc (Debian): both mallopt calls must be accepted.
        Assert.True(NativeAllocator.Tune());
        Assert.True(NativeAllocator.IsTuned);
        Assert.True(NativeAllocator.Tune()); // idempotent
    }

    [Fact]
    public void ResidentMemoryFollowsTouchedPagesAndPeakBoundsIt()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Null(ProcessMemory.PeakResidentBytes());
            return;
        }
        const int size = 256 << 20;
        var residentBefore = ProcessMemory.ResidentBytes()!.Value;
        var block = GC.AllocateUninitializedArray<byte>(size);
        Array.Fill(block, (byte)1); // touch every page
        // One read for both: the kernel reports VmHWM as at least the VmRSS of that same read, while two
        // separate reads raced with other tests' threads freeing memory in between (VmHWM 4 kB below VmRSS once).
        var (resident, peak) = ProcessMemory.ResidentAndPeakBytes()!.Value;
        Assert.True(resident >= residentBefore + size * 9L / 10, $"VmRSS {residentBefore} -> {resident} after touching {size} bytes");
        Assert.True(peak >= resident, $"VmHWM {peak} below VmRSS {resident}");
        GC.KeepAlive(block);
    }
}
