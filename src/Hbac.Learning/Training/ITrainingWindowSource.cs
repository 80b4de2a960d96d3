namespace Hbac.Learning.Training;

/// <summary>
/// Where training gets the model input of a labelled window: the normalised [3, 400, 300] tensor
/// (row-major, 360,000 floats) of the 600-s window starting at <c>offsetSeconds</c> in a spectrogram,
/// written into a caller-owned buffer (training reuses its batch buffers instead of allocating 1.4 MB
/// per window). Implementations read parquet or .npy folders; a shared cache (Redis) can sit behind
/// the same interface. Must be safe to call concurrently for different destinations.
/// </summary>
public interface ITrainingWindowSource
{
    ValueTask ReadWindowAsync(long spectrogramId, double offsetSeconds, Memory<float> destination, CancellationToken ct = default);
}

public static class TrainingWindowSourceExtensions
{
    /// <summary>The window in a new array (for one-off reads; training uses <see cref="ITrainingWindowSource.ReadWindowAsync"/>).</summary>
    public static async ValueTask<float[]> GetWindowAsync(this ITrainingWindowSource source, long spectrogramId, double offsetSeconds, CancellationToken ct = default)
    {
        var window = new float[Trainer.InputSize];
        await source.ReadWindowAsync(spectrogramId, offsetSeconds, window, ct).ConfigureAwait(false);
        return window;
    }

    /// <summary>
    /// Reads <c>windows[start .. start + count)</c> concurrently into <paramref name="inputs"/>, window i of
    /// the range at <c>i * InputSize</c>: a batch for a model, at each window's input id and offset.
    /// </summary>
    public static async Task ReadWindowsAsync(this ITrainingWindowSource source, IReadOnlyList<TrainingWindow> windows, int start, int count, float[] inputs, CancellationToken ct = default) =>
        await Parallel.ForAsync(0, count, ct, async (i, token) =>
        {
            var window = windows[start + i];
            await source.ReadWindowAsync(window.InputId, window.InputOffsetSeconds, inputs.AsMemory(i * Trainer.InputSize, Trainer.InputSize), token).ConfigureAwait(false);
        }).ConfigureAwait(false);
}
