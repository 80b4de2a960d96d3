using Google.Protobuf;

namespace Hbac.Onnx.Tests;

/// <summary>CUDA first where the build and the machine have it, the CPU provider otherwise, and the reason said.</summary>
public sealed class ExecutionProviderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hbac-ep-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TheLoadedOnnxRuntimeIsThePinnedVersion()
    {
        // The feed substitutes a newer version for a missing one without failing the build.
        Assert.Equal("1.32.0", OnnxRuntimeBuild.Version);
        Assert.Contains("CPUExecutionProvider", OnnxRuntimeBuild.AvailableProviders);
    }

    [NoCudaFact]
    public void WithoutAGpuTheCpuProviderServesAndTheReasonIsKept()
    {
        using var classifier = OnnxClassifier.Open(WriteModel(), log: _logged.Add);
        Assert.Equal("CPU", classifier.ExecutionProvider);
        Assert.False(string.IsNullOrWhiteSpace(classifier.CudaUnavailableReason));
        Assert.DoesNotContain('\n', classifier.CudaUnavailableReason!);
        if (OnnxRuntimeBuild.HasCudaProvider && OnnxRuntimeBuild.MissingCudaLibraries.Count > 0)
        {
            // The GPU package without the CUDA libraries: not even tried, so ONNX Runtime logs no failed load.
            Assert.Equal($"CUDA libraries not found: {string.Join(", ", OnnxRuntimeBuild.MissingCudaLibraries)}", classifier.CudaUnavailableReason);
        }
        else if (OnnxRuntimeBuild.HasCudaProvider)
        {
            // The libraries are there but ONNX Runtime refused CUDA (no device).
            Assert.DoesNotContain("has no CUDA provider", classifier.CudaUnavailableReason);
        }
        var line = Assert.Single(_logged);
        Assert.Contains($"ONNX Runtime {OnnxRuntimeBuild.Version} ({OnnxRuntimeBuild.Package}) on CPU (CUDA unavailable: ", line);
    }

    [CudaFact]
    public void WithAGpuCudaServesTheKnownAnswer()
    {
        using var classifier = OnnxClassifier.Open(WriteModel());
        Assert.Equal("CUDA", classifier.ExecutionProvider);
        Assert.Null(classifier.CudaUnavailableReason);
        // Channel means (1, 2, -1): logits W * means + b of the tiny model.
        var window = new float[3 * 400 * 300];
        Array.Fill(window, 1f, 0, 120_000);
        Array.Fill(window, 2f, 120_000, 120_000);
        Array.Fill(window, -1f, 240_000, 120_000);
        var row = Assert.Single(classifier.Predict(window, 1));
        float[] logits = [1, 2, -1, 3, -2, 0.5f];
        var exp = logits.Select(MathF.Exp).ToArray();
        Assert.Equal(exp.Select(e => e / exp.Sum()), row, new OnnxClassifierTests.FloatComparer(1e-4f));
    }

    private readonly List<string> _logged = [];

    private string WriteModel()
    {
        var path = Path.Combine(_dir, "tiny.onnx");
        File.WriteAllBytes(path, OnnxClassifierTests.TinyLinearModel("input", "logits", [-1, 3, 400, 300], dimParam: "N").ToByteArray());
        return path;
    }
}

/// <summary>Where a CUDA session can start: the GPU build of ONNX Runtime and an NVIDIA driver with a device.</summary>
internal static class CudaMachine
{
    public static string? MissingReason { get; } = Probe();

    private static string? Probe()
    {
        if (!OnnxRuntimeBuild.HasCudaProvider)
        {
            return $"this build uses {OnnxRuntimeBuild.Package}, which has no CUDA provider (build with -p:HbacOnnxRuntime=gpu)";
        }
        if (!File.Exists("/dev/nvidia0") || !System.Runtime.InteropServices.NativeLibrary.TryLoad("libcuda.so.1", out var handle))
        {
            return "no NVIDIA GPU here (/dev/nvidia0 or the driver's libcuda.so.1 is missing)";
        }
        System.Runtime.InteropServices.NativeLibrary.Free(handle);
        return null;
    }
}

/// <summary>A fact that needs a GPU that CUDA can use; skipped with the reason elsewhere.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (CudaMachine.MissingReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A fact about the CPU fallback; skipped where CUDA would serve instead.</summary>
public sealed class NoCudaFactAttribute : FactAttribute
{
    public NoCudaFactAttribute()
    {
        if (CudaMachine.MissingReason is null)
        {
            Skip = "a CUDA GPU is present, so CUDA serves instead of the fallback";
        }
    }
}

/// <summary>
/// The build with the other package than this one's (-p:HbacOnnxRuntime=cpu from the default GPU build,
/// gpu from a CPU build), built here as a small program: both builds open a model and say what served it.
/// </summary>
public sealed class OtherPackageBuildTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hbac-gpu-build-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task TheOtherPackageServesTooAndSaysWhyCudaIsNotUsed()
    {
        var gpu = !OnnxRuntimeBuild.HasCudaProvider;
        var project = Path.Combine(SharedData.RepositoryRoot, "tests", "Probes", "OnnxRuntimeProbe", "OnnxRuntimeProbe.csproj");
        var artifacts = Path.Combine(_dir, "artifacts");
        var build = await Run("dotnet", ["build", project, "-c", "Release", $"-p:HbacOnnxRuntime={(gpu ? "gpu" : "cpu")}", "--artifacts-path", artifacts, "-nodeReuse:false", "--disable-build-servers"], TimeSpan.FromMinutes(8));
        Assert.True(build.ExitCode == 0, $"building the probe failed:\n{build.Output}");
        Assert.Equal(gpu, Directory.GetFiles(artifacts, "libonnxruntime_providers_cuda.so", SearchOption.AllDirectories).Length > 0);

        var model = Path.Combine(_dir, "tiny.onnx");
        File.WriteAllBytes(model, Google.Protobuf.MessageExtensions.ToByteArray(OnnxClassifierTests.TinyLinearModel("input", "logits", [-1, 3, 400, 300], dimParam: "N")));
        var dll = Directory.GetFiles(Path.Combine(artifacts, "bin"), "OnnxRuntimeProbe.dll", SearchOption.AllDirectories).Single();
        var run = await Run("dotnet", [dll, model], TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, run.Output);
        var facts = run.Output.Split('\n', StringSplitOptions.TrimEntries).Where(l => l.Contains(": ")).ToDictionary(l => l[..l.IndexOf(": ")], l => l[(l.IndexOf(": ") + 2)..]);
        Assert.Equal(gpu ? "Microsoft.ML.OnnxRuntime.Gpu.Linux" : "Microsoft.ML.OnnxRuntime", facts["package"]);
        Assert.Equal("1.32.0", facts["version"]);
        var probabilities = facts["probabilities"].Split(' ').Select(p => float.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(6, probabilities.Length);
        Assert.Equal(1f, probabilities.Sum(), 3);
        if (gpu && File.Exists("/dev/nvidia0"))
        {
            Assert.Equal("CUDA", facts["provider"]);
            return;
        }
        // The CPU served: the GPU package tried CUDA and ONNX Runtime refused it (no GPU here), or the CPU
        // package has no CUDA provider at all; either way the reason is kept and logged.
        Assert.Equal("CPU", facts["provider"]);
        Assert.False(string.IsNullOrWhiteSpace(facts["cuda-unavailable"]));
        Assert.Equal(!gpu, facts["cuda-unavailable"].Contains("has no CUDA provider"));
        Assert.Contains($"on CPU (CUDA unavailable: {facts["cuda-unavailable"]})", facts["log"]);
    }

    private static async Task<(int ExitCode, string Output)> Run(string file, string[] args, TimeSpan timeout)
    {
        var start = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        // The test host's MSBuild settings must not leak into the nested build.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k == "DOTNET_HOST_PATH").ToList())
        {
            start.Environment.Remove(key);
        }
        using var process = System.Diagnostics.Process.Start(start)!;
        using var cts = new CancellationTokenSource(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(" ", args)} took longer than {timeout}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
