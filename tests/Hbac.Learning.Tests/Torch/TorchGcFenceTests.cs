using System.Runtime.CompilerServices;
using Hbac.Learning.Torch;

namespace Hbac.Learning.Tests.Torch;

[Collection("Torch")]
public class TorchGcFenceTests
{
    private sealed class Finalizable(StrongBox<bool> finalized)
    {
        ~Finalizable() => finalized.Value = true;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Abandon(StrongBox<bool> finalized) => _ = new Finalizable(finalized);

    [Fact]
    public void NoFinalizerRunsInsideTheFenceAndTheyRunAfterIt()
    {
        var finalized = new StrongBox<bool>(false);
        var collectionsBefore = 0;
        using (var fence = TorchGcFence.Enter(16L << 20))
        {
            Assert.True(fence.NoGcRegion);
            collectionsBefore = GC.CollectionCount(0);
            Abandon(finalized);
            // Ordinary garbage well inside the budget, as a training step's wrappers are.
            for (var i = 0; i < 1000; i++)
            {
                _ = new byte[1024];
            }
            Thread.Sleep(50);
            Assert.Equal(collectionsBefore, GC.CollectionCount(0));
            Assert.False(finalized.Value);
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.True(finalized.Value);
    }

    [Fact]
    public void TheDefaultBudgetCoversTheNextBatchLoadingBesideAStep()
    {
        // A first epoch's batch loads (files read into the window cache) put up to 85 MB beside single training steps (here
        // 96 MB of small arrays and 32 MB of large ones):
        // a collection then let finalizers free TorchSharp's temporary scalars under libtorch (stop 40's failed run).
        var collections = 0;
        var allocated = 0L;
        using (var fence = TorchGcFence.Enter())
        {
            Assert.True(fence.NoGcRegion);
            collections = GC.CollectionCount(0);
            var loader = new Thread(() =>
            {
                var arrays = new List<byte[]>();
                for (var i = 0; i < 1536; i++)
                {
                    arrays.Add(new byte[64 * 1024]); // small-object heap
                }
                for (var i = 0; i < 32; i++)
                {
                    arrays.Add(new byte[1024 * 1024]); // large-object heap, as decoded columns are
                }
                allocated = arrays.Sum(a => (long)a.Length);
            });
            loader.Start();
            loader.Join();
            Assert.Equal(collections, GC.CollectionCount(0));
        }
        Assert.Equal(128L << 20, allocated);
    }

    [Fact]
    public void ABlockThatOutgrowsItsBudgetStillLeavesTheFenceCleanly()
    {
        using (TorchGcFence.Enter(1L << 20))
        {
            for (var i = 0; i < 64; i++)
            {
                _ = new byte[256 * 1024];
            }
        }
        Assert.NotEqual(System.Runtime.GCLatencyMode.NoGCRegion, System.Runtime.GCSettings.LatencyMode);
        using var again = TorchGcFence.Enter();
        Assert.True(again.NoGcRegion);
    }

    [Fact]
    public void ARegionLeftStartedOutsideTheFenceIsEndedAndTheFenceStartsItsOwn()
    {
        // What a training run met once: with nobody inside, the runtime said a no-GC region was already in progress.
        Assert.True(GC.TryStartNoGCRegion(8L << 20));

        using (var fence = TorchGcFence.Enter(16L << 20))
        {
            Assert.True(fence.NoGcRegion);
            Assert.Equal(System.Runtime.GCLatencyMode.NoGCRegion, System.Runtime.GCSettings.LatencyMode);
        }
        Assert.NotEqual(System.Runtime.GCLatencyMode.NoGCRegion, System.Runtime.GCSettings.LatencyMode);
    }

    [Fact]
    public void TwoThreadsShareOneRegionThatEndsWhenTheLastLeaves()
    {
        using var bothInside = new Barrier(2);
        using var leaving = new Barrier(2);
        var inside = new int[2];
        var fenced = new bool[2];
        var collectionsInside = new int[2];
        var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
        {
            using (var fence = TorchGcFence.Enter(16L << 20))
            {
                fenced[i] = fence.NoGcRegion;
                bothInside.SignalAndWait();
                inside[i] = TorchGcFence.Holders;
                var before = GC.CollectionCount(0);
                for (var k = 0; k < 1000; k++)
                {
                    _ = new byte[1024];
                }
                leaving.SignalAndWait();
                // Both threads allocated while both were inside: no collection in between.
                collectionsInside[i] = GC.CollectionCount(0) - before;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal([2, 2], inside);
        Assert.Equal([true, true], fenced);
        Assert.Equal([0, 0], collectionsInside);
        Assert.Equal(0, TorchGcFence.Holders);
        Assert.NotEqual(System.Runtime.GCLatencyMode.NoGCRegion, System.Runtime.GCSettings.LatencyMode);
    }

    [Fact]
    public async Task ANewcomerWaitsForAHalfUsedRegionToDrainAndThenStartsAFreshOne()
    {
        using var firstInside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var first = new Thread(() =>
        {
            using (TorchGcFence.Enter(8L << 20))
            {
                // Half the budget and more: the next thread must not join this region.
                for (var i = 0; i < 20; i++)
                {
                    _ = new byte[256 * 1024];
                }
                firstInside.Set();
                release.Wait();
            }
        });
        first.Start();
        firstInside.Wait();
        var second = Task.Run(() =>
        {
            using var fence = TorchGcFence.Enter(8L << 20);
            return (fence.NoGcRegion, TorchGcFence.Holders);
        });
        var waited = await Task.WhenAny(second, Task.Delay(200));
        Assert.NotSame(second, waited);
        release.Set();
        first.Join();
        var (fenced, holders) = await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(fenced);
        Assert.Equal(1, holders);
    }

    [Fact]
    public void ANestedEnterOnTheSameThreadDoesNotWaitForItself()
    {
        using var outer = TorchGcFence.Enter(16L << 20);
        using var inner = TorchGcFence.Enter(16L << 20);
        Assert.Equal(outer.NoGcRegion, inner.NoGcRegion);
        Assert.Equal(2, TorchGcFence.Holders);
    }
}
