using Hbac.Learning.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Hbac.Learning.Tests.Models;

[Collection("Torch")]
public sealed class ChannelsLastCheckTests
{
    [Fact]
    public void TheCheckLeavesTheModelAndTheGlobalGeneratorAsTheyWere()
    {
        torch.manual_seed(11);
        using var model = ModelCatalog.Create("mobilenetv3", 6, new ModelOptions { InputDownsample = 8 });
        model.train();
        var before = model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());

        torch.manual_seed(5);
        var verdict = ChannelsLastCheck.Run(model, 2, 3, 400, 300, CPU);
        using var afterCheck = randn(4);
        torch.manual_seed(5);
        using var withoutCheck = randn(4);

        Assert.Equal(withoutCheck.data<float>().ToArray(), afterCheck.data<float>().ToArray());
        Assert.True(model.training);
        Assert.True(model.ConvolutionsChannelsLast);
        foreach (var (name, tensor) in model.state_dict())
        {
            Assert.True(tensor.equal(before[name]).all().item<bool>(), $"{name} changed");
        }
        // Both passes ran and were compared: a gap is a number, 0 only by coincidence of every kernel.
        Assert.True(double.IsFinite(verdict.EvalError) && double.IsFinite(verdict.TrainError), $"{verdict}");
        Assert.Equal(2, verdict.Batch);
    }

    [Fact]
    public void AModelThatRunsNchwIsCheckedAndStaysNchw()
    {
        torch.manual_seed(11);
        using var model = ModelCatalog.Create("mobilenetv3", 6, new ModelOptions { InputDownsample = 8, ChannelsLast = false });
        ChannelsLastCheck.Run(model, 1, 3, 400, 300, CPU);
        Assert.False(model.ConvolutionsChannelsLast);
    }

    [Fact]
    public void ARunIsCheckedAtItsFullBatchAndAtEachSmallerLastBatch()
    {
        // The default job's EEG run: 377 training, 98 validation and 159 fine-tuning windows in batches of 16.
        Assert.Equal([16, 15, 9, 2], ChannelsLastCheck.BatchSizes(16, 377, 98, 159));
        Assert.Equal([16], ChannelsLastCheck.BatchSizes(16, 32, 64, 0));
        Assert.Equal([5, 3], ChannelsLastCheck.BatchSizes(16, 5, 3));
        Assert.Equal([16], ChannelsLastCheck.BatchSizes(16));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChannelsLastCheck.BatchSizes(0, 10));
    }

    [Fact]
    public void SeveralBatchSizesGiveTheVerdictOfOneOfThemAndLeaveTheModelAsItWas()
    {
        torch.manual_seed(11);
        using var model = ModelCatalog.Create("mobilenetv3", 6, new ModelOptions { InputDownsample = 8 });
        model.eval();
        var before = model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());

        var verdict = ChannelsLastCheck.Run(model, [3, 1, 3], 3, 400, 300, CPU);
        var single = new[] { 3, 1 }.Select(b => ChannelsLastCheck.Run(model, b, 3, 400, 300, CPU)).ToArray();

        // Largest batch first, stopping at the first that disagrees (wrong kernels are off by 0.2 and more, right ones
        // by about 1e-6, so the verdicts do not hinge on rounding).
        Assert.Equal(single.All(v => v.Agrees), verdict.Agrees);
        Assert.Contains(verdict.Batch, new[] { 3, 1 });
        if (!single[0].Agrees)
        {
            Assert.Equal(3, verdict.Batch);
        }
        Assert.False(model.training);
        Assert.True(model.ConvolutionsChannelsLast);
        foreach (var (name, tensor) in model.state_dict())
        {
            Assert.True(tensor.equal(before[name]).all().item<bool>(), $"{name} changed");
        }
        Assert.Throws<ArgumentException>(() => ChannelsLastCheck.Run(model, [], 3, 400, 300, CPU));
    }

    [Fact]
    public void ConvolutionsSingledOutRunNchwInsideAChannelsLastModel()
    {
        torch.manual_seed(11);
        using var model = ModelCatalog.Create("mobilenetv3", 6, new ModelOptions { InputDownsample = 8 });
        model.eval();
        var all = model.named_modules().Where(m => m.module is TorchSharp.Modules.Conv2d && m.name.EndsWith(".0", StringComparison.Ordinal))
            .Select(m => m.name).ToArray();
        Assert.Equal(46, all.Length); // MobileNetV3-Large's 62 less the squeeze-excitations' 16

        Assert.False(model.UseNchwFor(["features.4.block.2.fc1"]));
        Assert.Empty(model.NchwConvolutions);
        Assert.True(model.UseNchwFor(all));
        Assert.Equal(all.Order(StringComparer.Ordinal), model.NchwConvolutions.Order(StringComparer.Ordinal));

        // Every convolution NCHW (and the squeeze-excitations' on NCHW strides): the channels-last model computes what
        // the NCHW one does on any CPU, only the other ops round differently.
        using var input = randn(4, 3, 400, 300);
        using var noGrad = no_grad();
        using var nchw = WithLayout(model, channelsLast: false, input);
        using var mixed = WithLayout(model, channelsLast: true, input);
        Assert.True(ChannelsLastCheck.MaxRelative(mixed.data<float>().ToArray(), nchw.data<float>().ToArray()) < 1e-5);

        Assert.True(model.UseNchwFor([]));
        Assert.Empty(model.NchwConvolutions);
    }

    private static Tensor WithLayout(ClassifierModel model, bool channelsLast, Tensor input)
    {
        model.UseConvolutionLayout(channelsLast);
        return model.call(input);
    }

    [Fact]
    public void TheSqueezedMapHasNchwStridesWhateverTheLayout()
    {
        using var map = randn(2, 5, 3, 4);
        using var channelsLast = ClassifierModel.ChannelsLast(map);
        using var fromNchw = ClassifierModel.SqueezedMap(map);
        using var fromChannelsLast = ClassifierModel.SqueezedMap(channelsLast);
        Assert.Equal([2L, 5, 1, 1], fromChannelsLast.shape);
        Assert.Equal([5L, 1, 1, 1], fromChannelsLast.stride());
        // The same means, summed in another order.
        Assert.True(ChannelsLastCheck.MaxRelative(fromChannelsLast.data<float>().ToArray(), fromNchw.data<float>().ToArray()) < 1e-6);
        using var pooled = nn.functional.adaptive_avg_pool2d(map, 1);
        Assert.Equal(pooled.data<float>().ToArray(), fromNchw.data<float>().ToArray());
    }

    [Fact]
    public void TheWrongConvolutionsAreNamesTheModelCanSingleOutAndTheModelIsLeftAsItWas()
    {
        torch.manual_seed(11);
        using var model = ModelCatalog.Create("mobilenetv3", 6, new ModelOptions { InputDownsample = 8 });
        model.train();
        var before = model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());

        var wrong = ChannelsLastCheck.WrongConvolutions(model, [2, 1], 3, 400, 300, CPU);

        Assert.True(model.UseNchwFor(wrong));
        Assert.True(model.training);
        Assert.True(model.ConvolutionsChannelsLast);
        foreach (var (name, tensor) in model.state_dict())
        {
            Assert.True(tensor.equal(before[name]).all().item<bool>(), $"{name} changed");
        }
        Assert.All(model.parameters(), p => Assert.True(p.grad is null || p.grad.abs().max().item<float>() == 0));
    }

    [Fact]
    public void TheGapsAreRelativeToTheNchwValues()
    {
        Assert.Equal(0.5, ChannelsLastCheck.MaxRelative([1f, -3f], [1f, -2f]), 12);
        Assert.Equal(0.12, ChannelsLastCheck.L2Relative([3f, 4.6f], [3f, 4f]), 6);
        Assert.Equal(0, ChannelsLastCheck.MaxRelative([2f], [2f]));
    }

    [Theory]
    [InlineData(1e-6, 7e-3, true)]
    [InlineData(1e-4, 5e-2, true)]
    [InlineData(2e-4, 0, false)]
    [InlineData(0, 0.3, false)]
    [InlineData(double.NaN, 0, false)]
    [InlineData(0, double.NaN, false)]
    public void TheVerdictAgreesOnlyWithinTheTolerances(double eval, double train, bool agrees)
    {
        var verdict = new ChannelsLastVerdict(16, eval, train);
        Assert.Equal(agrees, verdict.Agrees);
        Assert.Equal(agrees, verdict.Severity <= 1);
        Assert.Contains("batch 16", verdict.Describe());
    }
}
