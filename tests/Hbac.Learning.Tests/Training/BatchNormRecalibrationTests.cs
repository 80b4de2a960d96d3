using Hbac.Learning.Models;
using Hbac.Learning.Training;
using TorchSharp;

namespace Hbac.Learning.Tests.Training;

[Collection("Torch")]
public sealed class BatchNormRecalibrationTests
{
    [Fact]
    public async Task EvalModeThenReproducesTrainModeOnTheCalibrationBatch()
    {
        torch.random.manual_seed(3);
        var data = TinyData.Create(patients: 2, windowsPerPatient: 4);
        // Full resolution, so even the last layers see 13x10 maps: the unbiased running variance then
        // differs from the batch variance by 0.1 %.
        // NCHW: this is about the statistics, and where libtorch's channels-last kernels are wrong (ChannelsLastCheck; an
        // AMD EPYC) train and eval mode differed by 158 times the largest logit whatever the statistics.
        using var model = ModelCatalog.Create("mobilenetv3", 6, new ModelOptions { ChannelsLast = false });
        var order = Enumerable.Range(0, data.Windows.Count).ToArray();

        var inputs = new float[8 * Trainer.InputSize];
        for (var i = 0; i < 8; i++)
        {
            (await data.Source.GetWindowAsync(data.Windows[i].SpectrogramId, data.Windows[i].OffsetSeconds)).CopyTo(inputs, i * Trainer.InputSize);
        }
        model.train();
        float[] trainOutput;
        using (torch.no_grad())
        {
            // BatchNorm in train mode normalises with this batch's own statistics.
            using var logits = model.call(torch.tensor(inputs, [8, 3, 400, 300]));
            trainOutput = logits.data<float>().ToArray();
        }

        foreach (var norm in model.modules().OfType<TorchSharp.Modules.NormBase>())
        {
            norm.reset_running_stats();
        }
        var staleGap = MaxGap(EvalLogits(model, inputs), trainOutput);

        // One batch of 8: the running statistics become exactly that batch's statistics (momentum 1/1),
        // so eval mode normalises it like train mode does.
        await Trainer.RecalibrateBatchNormAsync(model, data.Source, data.Windows, order, batch: 8, batches: 1, momentum: 0.1, torch.CPU, CancellationToken.None);
        var recalibratedGap = MaxGap(EvalLogits(model, inputs), trainOutput);

        // Relative to the largest logit.
        Assert.InRange(recalibratedGap, 0, 0.05);
        Assert.True(staleGap > 4 * recalibratedGap, $"reset statistics gap {staleGap}, recalibrated {recalibratedGap}");
        // The configured momentum is back for training.
        Assert.All(model.modules().OfType<TorchSharp.Modules.NormBase>(), n => Assert.Equal(0.1, n.momentum));
    }

    /// <summary>Largest logit difference relative to the largest reference logit.</summary>
    private static double MaxGap(float[] a, float[] reference) =>
        a.Zip(reference).Max(p => Math.Abs(p.First - p.Second)) / reference.Max(Math.Abs);

    private static float[] EvalLogits(ClassifierModel model, float[] inputs)
    {
        model.eval();
        using var noGrad = torch.no_grad();
        using var logits = model.call(torch.tensor(inputs, [8, 3, 400, 300]));
        return logits.data<float>().ToArray();
    }

    [Fact]
    public async Task FreshStatisticsDifferFromResetOnes()
    {
        var data = TinyData.Create(patients: 2, windowsPerPatient: 4);
        using var model = ModelCatalog.Create("mobilenetv3", 6, new ModelOptions { InputDownsample = 8 });
        var first = model.modules().OfType<TorchSharp.Modules.NormBase>().First();
        await Trainer.RecalibrateBatchNormAsync(model, data.Source, data.Windows, Enumerable.Range(0, 8).ToArray(), 4, 2, 0.1, torch.CPU, CancellationToken.None);
        // Reset statistics are mean 0 / variance 1; after two batches they describe the data.
        Assert.NotEqual(0f, first.running_mean!.abs().sum().item<float>());
        Assert.Equal(2L, first.num_batches_tracked!.item<long>());
    }
}
