namespace Hbac.Learning.Torch;

/// <summary>
/// Keeps the .NET garbage collector (and so the finalizer thread) out of a block of TorchSharp calls.
/// TorchSharp 0.107 turns literals into temporary <c>Scalar</c> objects inside many operations
/// (<c>add_(tensor)</c> passes <c>alpha = 1</c>, BatchNorm bumps <c>num_batches_tracked</c> with
/// <c>add_(1)</c>, optimizers scale with <c>mul_(beta)</c>) and never disposes them; once the handle is read,
/// the wrapper is unreachable and its finalizer may free the native scalar while libtorch still reads it
/// (seen here as an intermittent "For integral input tensors, argument alpha must not be a floating point
/// number" in BatchNorm; upstream TorchSharp PRs 1434/1496). Entering the fence starts a no-GC region (the
/// runtime collects first if it needs room) and then drains pending finalizers, so nothing is finalized while
/// the block's native code runs. A block that allocates past its budget lets the runtime collect again.
/// <para>
/// Several threads may be inside at once (two training runs on two cores): they share one region, started
/// by the first to enter and ended by the last to leave. Once the shared region has used half its budget,
/// newcomers wait until everyone inside has left, so a fresh region (and a collection) comes before the
/// budget runs out while another thread's native code runs.
/// </para>
/// </summary>
public static class TorchGcFence
{
    /// <summary>
    /// Managed bytes the process may allocate inside a region before the runtime must collect anyway. The budget is the
    /// whole process's, not the block's: a training step itself allocates under 1 MB, but the next batch loads beside
    /// it, and a first epoch's loads (files read into the window cache) put 40-85 MB beside single steps. With 64 MB
    /// a quick run collected inside 3-5 steps of its first 3 epochs, and one of them failed in BatchNorm with "Unknown
    /// scalar type" (stop 40); with 256 MB none did, for 0.2-0.3 GB more peak memory.
    /// </summary>
    public const long DefaultBudgetBytes = 256L << 20;

    /// <summary>The smallest budget tried when the runtime refuses a larger one.</summary>
    private const long MinimumBudgetBytes = 16L << 20;

    private static readonly object Sync = new();
    private static int _holders;
    private static bool _regionStarted;
    private static long _regionStartBytes;
    private static long _regionBudget;

    [ThreadStatic]
    private static int _depth;

    /// <summary>Threads inside the fence now (for tests and diagnostics).</summary>
    public static int Holders
    {
        get
        {
            lock (Sync)
            {
                return _holders;
            }
        }
    }

    /// <summary>Enters the fence; dispose the result when the native work is done.</summary>
    public static Scope Enter(long budgetBytes = DefaultBudgetBytes)
    {
        lock (Sync)
        {
            if (_depth > 0)
            {
                // Nested on this thread: already inside the region.
                _depth++;
                _holders++;
                return new Scope(_regionStarted);
            }
            // Let the region's holders drain when it is half used, then start afresh.
            while (_holders > 0 && (!_regionStarted || GC.GetTotalAllocatedBytes() - _regionStartBytes > _regionBudget / 2))
            {
                Monitor.Wait(Sync);
            }
            if (_holders == 0)
            {
                _regionStarted = TryStartNoGcRegion(ref budgetBytes);
                _regionBudget = budgetBytes;
                // After the start: finalizers queued by the collection it may have run are drained too.
                GC.WaitForPendingFinalizers();
                _regionStartBytes = GC.GetTotalAllocatedBytes();
            }
            _holders++;
            _depth++;
            return new Scope(_regionStarted);
        }
    }

    private static bool TryStartNoGcRegion(ref long budgetBytes)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return GC.TryStartNoGCRegion(budgetBytes);
            }
            catch (ArgumentOutOfRangeException) when (budgetBytes / 2 >= MinimumBudgetBytes)
            {
                budgetBytes /= 2; // larger than this runtime's ephemeral space allows: a smaller fence beats none
                attempt--;
            }
            catch (ArgumentOutOfRangeException)
            {
                return false; // even the smallest budget refused: run unfenced rather than fail
            }
            catch (InvalidOperationException) when (attempt == 0)
            {
                // "The NoGCRegion mode was already in progress" with nobody inside (a training run once failed on it,
                // two runs side by side): a region the runtime still counts as started. Ending it lets a new one start.
                try
                {
                    GC.EndNoGCRegion();
                }
                catch (InvalidOperationException)
                {
                    // It had ended (a collection ended it); starting again below is what matters.
                }
            }
            catch (InvalidOperationException)
            {
                return false; // still refused: run unfenced rather than fail the run
            }
        }
    }

    private static void Leave()
    {
        lock (Sync)
        {
            _depth--;
            _holders--;
            if (_holders > 0)
            {
                return;
            }
            // A region that outgrew its budget ended itself; there is nothing to end then.
            if (_regionStarted && System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }
            _regionStarted = false;
            Monitor.PulseAll(Sync);
        }
    }

    public readonly struct Scope(bool noGcRegion) : IDisposable
    {
        /// <summary>Whether the block really ran without a collection window (false: the runtime refused).</summary>
        public bool NoGcRegion => noGcRegion;

        public void Dispose() => Leave();
    }
}
