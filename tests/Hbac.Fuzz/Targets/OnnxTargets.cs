using Hbac.Onnx;

namespace Hbac.Fuzz.Targets;

/// <summary>
/// Model loading as the CLI and the inference service do it: the summary read without a session
/// (<see cref="OnnxModelSummary"/>), then an ONNX Runtime session (<see cref="OnnxClassifier"/>).
/// A file either loads or is refused with <see cref="ModelFileException"/>.
/// </summary>
public static class OnnxTargets
{
    public static bool Model(byte[] bytes)
    {
        // The loaders take paths: one file per process, rewritten for each input.
        var path = Path.Combine(Path.GetTempPath(), $"hbac-fuzz-{Environment.ProcessId}.onnx");
        File.WriteAllBytes(path, bytes);
        try
        {
            OnnxModelSummary.Read(path);
            using var classifier = OnnxClassifier.Open(path, threads: 1, spinning: false);
            return true;
        }
        catch (ModelFileException)
        {
            return false;
        }
    }
}
