using Hbac.Onnx.Proto;
using Hbac.Onnx.Quantization;

namespace Hbac.Onnx.Tests.Quantization;

public sealed class BatchNormFoldingTests
{
    [Fact]
    public void FoldedGraphComputesWhatTheUnfoldedOneDoes()
    {
        var model = TinyGraph.Create();
        var folded = model.Clone();

        Assert.Equal(2, BatchNormFolding.Fold(folded.Graph));

        Assert.DoesNotContain(folded.Graph.Node, n => n.OpType == "BatchNormalization");
        Assert.DoesNotContain(folded.Graph.Initializer, t => t.Name.Contains("running_", StringComparison.Ordinal));
        Assert.All(folded.Graph.Node.Where(n => n.OpType == "Conv"), n => Assert.Equal(3, n.Input.Count));
        var inputs = TinyGraph.Inputs(4, seed: 2);
        var expected = TinyGraph.Run(model.Bytes(), inputs, 4, OnnxNames.Logits);
        var actual = TinyGraph.Run(folded.Bytes(), inputs, 4, OnnxNames.Logits);
        var maxDiff = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(maxDiff <= 1e-5f, $"max |logit difference| {maxDiff}");
        Assert.True(expected.Max() - expected.Min() > 0.5f, "logits nearly constant: the comparison would mean little");
    }

    [Fact]
    public void ABatchNormWhoseConvOutputIsAlsoReadElsewhereStays()
    {
        var model = TinyGraph.Create();
        var conv = model.Graph.Node.First(n => n.OpType == "Conv");
        // A second reader of the Conv's output: folding would change what that reader sees.
        model.Graph.Node.Add(new NodeProto { OpType = "Identity", Name = "/extra", Input = { conv.Output[0] }, Output = { "/extra_out" } });

        Assert.Equal(1, BatchNormFolding.Fold(model.Graph));
        Assert.Single(model.Graph.Node, n => n.OpType == "BatchNormalization");
    }
}
