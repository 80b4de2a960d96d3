using Microsoft.ML.OnnxRuntime;

namespace Hbac.Onnx;

/// <summary>
/// Which ONNX Runtime this process loaded: its version, the execution providers compiled into it, and
/// so which NuGet package the build chose (<c>-p:HbacOnnxRuntime=gpu|cpu</c>).
/// </summary>
public static class OnnxRuntimeBuild
{
    private const string CudaProviderName = "CUDAExecutionProvider";

    private static readonly Lazy<string[]> Providers = new(() => OrtEnv.Instance().GetAvailableProviders());

    /// <summary>The native library's version, e.g. "1.32.0".</summary>
    public static string Version => OrtEnv.Instance().GetVersionString();

    /// <summary>Execution providers compiled into the loaded library, e.g. CUDAExecutionProvider, CPUExecutionProvider.</summary>
    public static IReadOnlyList<string> AvailableProviders => Providers.Value;

    /// <summary>True for the GPU package: its CUDA provider can be tried (it still needs the CUDA libraries and a GPU).</summary>
    public static bool HasCudaProvider => AvailableProviders.Contains(CudaProviderName);

    /// <summary>
    /// The shared libraries the GPU package's CUDA provider (built for CUDA 13) loads: the driver and the
    /// CUDA runtime, cuBLAS and cuRAND.
    /// </summary>
    public static readonly IReadOnlyList<string> CudaLibraries = ["libcuda.so.1", "libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13", "libcurand.so.10"];

    /// <summary>
    /// Which of <see cref="CudaLibraries"/> cannot be loaded here, checked once. Checking first keeps
    /// ONNX Runtime from logging a failed provider load on every session of a machine without CUDA.
    /// </summary>
    public static IReadOnlyList<string> MissingCudaLibraries => Missing.Value;

    private static readonly Lazy<string[]> Missing = new(() => CudaLibraries.Where(name =>
    {
        if (!System.Runtime.InteropServices.NativeLibrary.TryLoad(name, out var handle))
        {
            return true;
        }
        System.Runtime.InteropServices.NativeLibrary.Free(handle);
        return false;
    }).ToArray());

    /// <summary>The NuGet package the loaded library comes from, told apart by its providers.</summary>
    public static string Package => HasCudaProvider ? "Microsoft.ML.OnnxRuntime.Gpu.Linux" : "Microsoft.ML.OnnxRuntime";
}
