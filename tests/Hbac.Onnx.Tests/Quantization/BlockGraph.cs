using Hbac.Onnx.Proto;
using Hbac.Onnx.Quantization;

namespace Hbac.Onnx.Tests.Quantization;

/// <summary>
/// One MobileNetV3 inverted-residual block with squeeze-excitation, the shape whose depthwise channel count
/// the quantizer widens: stem Conv 3 -> 16 and HardSwish, expand 1x1 16 -> E and ReLU, depthwise 3x3 E and
/// HardSwish, squeeze-excitation (GlobalAveragePool, 1x1 E -> 8, ReLU, 1x1 8 -> E, HardSigmoid, Mul), project
/// 1x1 E -> 16, the residual Add, GlobalAveragePool -> Flatten -> Gemm. Input [N, 3, TinyGraph.Size, TinyGraph.Size].
/// </summary>
internal static class BlockGraph
{
    public static ModelProto Create(int expanded, float gateAlpha = 1f / 6f, float gateBeta = 0.5f, int seed = 2)
    {
        var random = new Random(seed);
        var graph = new GraphProto { Name = "block" };
        void Conv(string name, string input, string output, int outputs, int inputs, int kernel, int group = 1)
        {
            var fanIn = inputs / group * kernel * kernel;
            var weights = Enumerable.Range(0, outputs * fanIn).Select(_ => (float)((random.NextDouble() * 2 - 1) * 1.7 / Math.Sqrt(fanIn))).ToArray();
            graph.Initializer.Add(OnnxTensors.Float($"{name}.weight", weights, outputs, inputs / group, kernel, kernel));
            graph.Initializer.Add(OnnxTensors.Float($"{name}.bias", Enumerable.Range(0, outputs).Select(_ => (float)(random.NextDouble() * 0.2 - 0.1)).ToArray(), outputs));
            var pads = new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints };
            pads.Ints.AddRange(Enumerable.Repeat((long)(kernel / 2), 4));
            graph.Node.Add(OnnxTensors.Node("Conv", $"/{name}", [input, $"{name}.weight", $"{name}.bias"], output, pads, OnnxTensors.IntAttribute("group", group)));
        }
        void Node(string op, string[] inputs, string output, params AttributeProto[] attributes) =>
            graph.Node.Add(OnnxTensors.Node(op, $"{output}_node", inputs, output, attributes));
        AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

        Conv("stem", OnnxNames.Input, "/stem_out", 16, 3, 3);
        Node("HardSwish", ["/stem_out"], "/HardSwish_stem");
        Conv("expand", "/HardSwish_stem", "/expand_out", expanded, 16, 1);
        Node("Relu", ["/expand_out"], "/Relu_expand");
        Conv("depthwise", "/Relu_expand", "/depthwise_out", expanded, expanded, 3, group: expanded);
        Node("HardSwish", ["/depthwise_out"], "/HardSwish_depthwise");
        Node("GlobalAveragePool", ["/HardSwish_depthwise"], "/squeeze");
        Conv("se_reduce", "/squeeze", "/se_reduce_out", 8, expanded, 1);
        Node("Relu", ["/se_reduce_out"], "/Relu_se");
        Conv("se_expand", "/Relu_se", "/se_expand_out", expanded, 8, 1);
        Node("HardSigmoid", ["/se_expand_out"], "/HardSigmoid_gate", Float("alpha", gateAlpha), Float("beta", gateBeta));
        Node("Mul", ["/HardSwish_depthwise", "/HardSigmoid_gate"], "/excited");
        Conv("project", "/excited", "/project_out", 16, expanded, 1);
        Node("Add", ["/project_out", "/HardSwish_stem"], "/residual");
        Node("GlobalAveragePool", ["/residual"], "/pooled");
        Node("Flatten", ["/pooled"], "/flat", OnnxTensors.IntAttribute("axis", 1));
        graph.Initializer.Add(OnnxTensors.Float("classifier.weight", Enumerable.Range(0, 6 * 16).Select(_ => (float)((random.NextDouble() * 2 - 1) * 8)).ToArray(), 6, 16));
        graph.Initializer.Add(OnnxTensors.Float("classifier.bias", new float[6], 6));
        Node("Gemm", ["/flat", "classifier.weight", "classifier.bias"], "/logits", OnnxTensors.IntAttribute("transB", 1));
        Node("Identity", ["/logits"], OnnxNames.Logits);
        Node("Softmax", [OnnxNames.Logits], OnnxNames.Probabilities, OnnxTensors.IntAttribute("axis", 1));

        var template = TinyGraph.Create().Graph;
        graph.Input.Add(template.Input);
        graph.Output.Add(template.Output);
        var model = new ModelProto { IrVersion = 8, ProducerName = "tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        model.MetadataProps.Add(new StringStringEntryProto { Key = OnnxNames.ModelNameKey, Value = "block" });
        return model;
    }
}
