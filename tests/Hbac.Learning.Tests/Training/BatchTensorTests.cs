using Hbac.Learning.Training;
using TorchSharp;

namespace Hbac.Learning.Tests.Training;

[Collection("Torch")]
public sealed class BatchTensorTests
{
    [Fact]
    public void APartBatchTakesTheFirstValuesOfTheReusedArrayInItsShape()
    {
        var values = Enumerable.Range(0, 10).Select(i => (float)i).ToArray();
        using var tensor = Trainer.BatchTensor(values, [2, 3]);
        Assert.Equal([2L, 3L], tensor.shape);
        Assert.Equal(torch.ScalarType.Float32, tensor.dtype);
        Assert.Equal([0f, 1f, 2f, 3f, 4f, 5f], tensor.data<float>().ToArray());
        // A copy: the array is reused for the next batch while the tensor may still be in the autograd graph.
        values[0] = 99;
        Assert.Equal(0f, tensor[0, 0].item<float>());
    }

    [Fact]
    public void AFullEegBatchAllocatesNoManagedCopyOfItsValues()
    {
        var values = new float[16 * Trainer.InputSize];
        values[^1] = 7;
        using (Trainer.BatchTensor(values, [16, Trainer.Channels, Trainer.Height, Trainer.Width]))
        {
            // Warm-up: the first call JITs and initialises libtorch.
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        using var tensor = Trainer.BatchTensor(values, [16, Trainer.Channels, Trainer.Height, Trainer.Width]);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // torch.tensor(float[], shape) allocated the batch's 23 MB again on the managed heap on every call.
        Assert.True(allocated < 1 << 20, $"{allocated:N0} managed bytes for a {values.Length * 4L:N0}-byte batch");
        Assert.Equal(7f, tensor[15, Trainer.Channels - 1, Trainer.Height - 1, Trainer.Width - 1].item<float>());
    }
}
