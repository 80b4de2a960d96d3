using Hbac.Learning.Models;
using static TorchSharp.torch;

namespace Hbac.Learning.Tests.Models;

[Collection("Torch")]
public sealed class ModelCatalogTests
{
    [Fact]
    public void MobileNetV3LargeHasTorchvisionsParameterCounts()
    {
        using var model = ModelCatalog.Create("mobilenetv3");
        var counts = ModelCatalog.CountParameters(model);
        Assert.Equal(2_977_718, counts.Trainable);
        Assert.Equal(24_400, counts.NonTrainable);
        Assert.Equal(3_002_118, counts.Total); // what Keras reports for the seed's model
    }

    [Fact]
    public void EfficientNetV2B2HasKerasParameterCounts()
    {
        using var model = ModelCatalog.Create("efficientnetv2b2");
        var counts = ModelCatalog.CountParameters(model);
        Assert.Equal(8_695_540, counts.Trainable);
        Assert.Equal(8_777_828, counts.Total);
    }

    [Fact]
    public void MobileNetV3LargeUsesTorchvisionNamesAndShapes()
    {
        using var model = new MobileNetV3Large();
        var state = model.state_dict();
        Assert.Equal([16, 3, 3, 3], state["features.0.0.weight"].shape);
        Assert.Equal([16, 1, 3, 3], state["features.1.block.0.0.weight"].shape); // depthwise, no expand
        Assert.Equal([64, 16, 1, 1], state["features.2.block.0.0.weight"].shape);
        Assert.Equal([24, 72, 1, 1], state["features.4.block.2.fc1.weight"].shape); // SE squeeze: make_divisible(72 / 4, 8)
        Assert.Equal([960, 160, 1, 1], state["features.16.0.weight"].shape);
        Assert.Equal([960], state["features.16.1.running_var"].shape);
        Assert.Equal([6, 960], state["classifier.weight"].shape);
        Assert.DoesNotContain(state.Keys, k => k.StartsWith("features.17", StringComparison.Ordinal));
    }

    [Fact]
    public void EfficientNetV2B2FollowsKerasScaledStages()
    {
        using var model = new EfficientNetV2B2();
        var state = model.state_dict();
        Assert.Equal([32, 3, 3, 3], state["stem.0.weight"].shape);
        Assert.Equal([16, 32, 3, 3], state["blocks.0.project.0.weight"].shape); // fused, expand 1: kxk projection
        Assert.Equal([64, 16, 3, 3], state["blocks.2.expand.0.weight"].shape); // fused, expand 4
        Assert.Equal([32, 64, 1, 1], state["blocks.2.project.0.weight"].shape);
        Assert.Equal([224, 1, 3, 3], state["blocks.8.depthwise.0.weight"].shape); // MBConv 56 -> 104, expand 4
        Assert.Equal([14, 224, 1, 1], state["blocks.8.se.reduce.weight"].shape); // SE on the block input: int(56 * 0.25)
        Assert.Equal([208, 1248, 1, 1], state["blocks.27.project.0.weight"].shape); // 28 blocks = ceil(1.2 * [1,2,2,3,5,8])
        Assert.Equal([1408, 208, 1, 1], state["top.0.weight"].shape);
        Assert.Equal([6, 1408], state["classifier.weight"].shape);
        Assert.DoesNotContain(state.Keys, k => k.StartsWith("blocks.28", StringComparison.Ordinal));
    }

    [Fact]
    public void BatchNormStatisticsMoveWithTheConfiguredMomentum()
    {
        using var model = new MobileNetV3Large(options: new ModelOptions { BatchNormMomentum = 0.25 });
        model.train();
        var mean = model.state_dict()["features.0.1.running_mean"];
        Assert.Equal(0f, mean.abs().max().item<float>());
        using var input = ones(2, 3, 64, 48);
        using (no_grad())
        {
            using var output = model.call(input);
        }
        // running = (1 - m) * 0 + m * batch_mean: with m = 0.25 the statistics move by a quarter of the batch mean.
        var conv = model.state_dict()["features.0.0.weight"];
        using var batch = nn.functional.conv2d(input, conv, strides: [2], padding: [1]).mean([0, 2, 3]);
        Assert.True(allclose(mean, batch * 0.25, rtol: 1e-4, atol: 1e-6));
    }

    [Fact]
    public void UnknownNameListsTheValidNames()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelCatalog.Create("resnet50"));
        Assert.Contains("resnet50", e.Message);
        Assert.Contains("mobilenetv3", e.Message);
        Assert.Contains("efficientnetv2b2", e.Message);
    }

    [Theory]
    [InlineData(4, null)]
    [InlineData(5, 6)]
    public void InputDownsampleKeepsTheFullInputContractAndTheParameters(int downsample, int? columns)
    {
        using var model = ModelCatalog.Create("mobilenetv3", options: new ModelOptions { InputDownsample = downsample, InputDownsampleColumns = columns });
        Assert.Equal(2_977_718, ModelCatalog.CountParameters(model).Trainable);
        model.eval();
        using var input = randn(2, 3, 400, 300);
        using var output = model.call(input);
        Assert.Equal([2, 6], output.shape);
    }

    [Fact]
    public void ChannelsLastKeepsShapeAndValuesWithChannelsInnermost()
    {
        using var input = randn(2, 3, 5, 7);
        using var laidOut = ClassifierModel.ChannelsLast(input);
        Assert.Equal(input.shape, laidOut.shape);
        Assert.Equal([5 * 7 * 3, 1, 7 * 3, 3], laidOut.stride()); // NHWC in memory
        Assert.True(input.eq(laidOut).all().item<bool>());
    }

    [Theory]
    [InlineData("mobilenetv3")]
    [InlineData("efficientnetv2b2")]
    public void ChannelsLastGivesTheNchwLogitsAndGradients(string name)
    {
        // Same weights, two layouts: oneDNN's NHWC kernels must compute what the NCHW ones do, forward and backward.
        var options = new ModelOptions { InputDownsample = 4 };
        manual_seed(3);
        using var nhwc = ModelCatalog.Create(name, options: options);
        manual_seed(3);
        using var nchw = ModelCatalog.Create(name, options: options with { ChannelsLast = false });
        using var input = randn(4, 3, 400, 300);
        var gradients = new List<Tensor>();
        foreach (var model in new[] { nhwc, nchw })
        {
            model.train();
            manual_seed(5); // EfficientNetV2's stochastic depth draws the same blocks for both
            using var logits = model.call(input);
            logits.square().sum().backward();
            gradients.Add(model.named_parameters().Single(p => p.name.EndsWith("classifier.weight", StringComparison.Ordinal)).parameter.grad!.clone());
            gradients.Add(model.named_parameters().First(p => p.parameter.dim() == 4).parameter.grad!.clone()); // the stem's conv
            model.eval();
            using var noGrad = no_grad();
            gradients.Add(model.call(input));
        }
        // Where this CPU's libtorch computes channels-last convolutions wrongly, ChannelsLastCheck must say so (and the
        // trainer then trains NCHW); elsewhere they must agree.
        var verdict = ChannelsLastCheck.Run(nhwc, 4, 3, 400, 300, CPU);
        var gaps = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var (a, b) = (gradients[i], gradients[i + 3]);
            var scale = b.abs().max().item<float>();
            Assert.True(scale > 0);
            gaps.Add((a - b).abs().max().item<float>() / scale);
        }
        // Float rounding differs between the kernels and grows through 16-28 blocks: 0.25 % of the largest
        // stem gradient in MobileNetV3. A layout mix-up would differ by the size of the values themselves.
        Assert.True(verdict.Agrees == gaps.All(g => g <= 1e-2), $"{name}: the check says {verdict}, the gaps here are {string.Join(", ", gaps)}");
    }
}
