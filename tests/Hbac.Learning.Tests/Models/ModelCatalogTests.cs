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
}
