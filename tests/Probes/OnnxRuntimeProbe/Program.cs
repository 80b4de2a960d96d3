using Hbac.Onnx;

// Opens the model given as the argument the way the services do and prints what served it.
using var classifier = OnnxClassifier.Open(args[0], log: line => Console.WriteLine($"log: {line}"));
Console.WriteLine($"package: {OnnxRuntimeBuild.Package}");
Console.WriteLine($"version: {OnnxRuntimeBuild.Version}");
Console.WriteLine($"provider: {classifier.ExecutionProvider}");
Console.WriteLine($"cuda-unavailable: {classifier.CudaUnavailableReason}");
var window = new float[OnnxClassifier.Channels * OnnxClassifier.Height * OnnxClassifier.Width];
Console.WriteLine($"probabilities: {string.Join(" ", classifier.Predict(window, 1)[0].Select(p => p.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)))}");
