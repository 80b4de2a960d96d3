using System.Runtime.InteropServices;
using TorchSharp;

namespace Hbac.Learning.Torch;

/// <summary>What <see cref="Nnpack.DisableWhereUnavailable"/> found.</summary>
public enum NnpackState
{
    /// <summary>NNPACK initialised: libtorch keeps using it where it chooses to.</summary>
    Available,

    /// <summary>NNPACK cannot run on this CPU, so libtorch was told not to ask for it again.</summary>
    Disabled,

    /// <summary>The libtorch build does not export the switch (another version or platform): nothing was changed.</summary>
    Unknown,
}

/// <summary>
/// libtorch asks NNPACK whether it can run before each convolution oneDNN does not take, and where NNPACK cannot
/// initialise (its CPU detection refused the AMD EPYC development VM, AVX-512 and all) every ask logs "Could not initialize NNPACK! Reason:
/// Unsupported hardware." again: 6,381 lines on stderr in one quick spectrogram run on a 2-core AMD EPYC VM. Asking
/// once and then switching NNPACK off (PyTorch's <c>torch.backends.nnpack.set_flags(False)</c>, which TorchSharp does
/// not expose) leaves that one line. Where NNPACK works nothing changes, so a seed trains the same model as before.
/// </summary>
public static class Nnpack
{
    private const string Library = "libtorch_cpu.so";
    // at::native::_nnpack_available(), at::globalContext(), at::Context::{setUserEnabledNNPACK(bool), userEnabledNNPACK()}.
    private const string AvailableSymbol = "_ZN2at6native17_nnpack_availableEv";
    private const string GlobalContextSymbol = "_ZN2at13globalContextEv";
    private const string SetEnabledSymbol = "_ZN2at7Context20setUserEnabledNNPACKEb";
    private const string EnabledSymbol = "_ZNK2at7Context17userEnabledNNPACKEv";

    private static readonly Lazy<NnpackState> State = new(Decide);

    // libtorch's four functions, looked up once: the decision and any later read of the flag share them.
    private static readonly Lazy<LibTorchExports?> Exports = new(Resolve);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.U1)]
    private delegate bool BoolGetter();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr ContextGetter();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void ContextFlagSetter(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.U1)]
    private delegate bool ContextFlagGetter(IntPtr context);

    /// <summary>Asks libtorch once per process whether NNPACK can run, and switches it off where it cannot.</summary>
    public static NnpackState DisableWhereUnavailable() => State.Value;

    /// <summary>libtorch's own flag (<c>torch.backends.nnpack.enabled</c>), or null where it cannot be read.</summary>
    public static bool? UserEnabled() =>
        Exports.Value is { } e ? e.Enabled(e.Context()) : null;

    private static NnpackState Decide()
    {
        if (Exports.Value is not { } e)
        {
            return NnpackState.Unknown;
        }
        if (e.Available())
        {
            return NnpackState.Available;
        }
        e.SetEnabled(e.Context(), false);
        return NnpackState.Disabled;
    }

    private sealed record LibTorchExports(BoolGetter Available, ContextGetter Context, ContextFlagSetter SetEnabled, ContextFlagGetter Enabled);

    private static LibTorchExports? Resolve()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        // Loads libtorch through TorchSharp first; the dlopen below then finds the copy already mapped, by its soname.
        _ = torch.get_num_threads();
        if (!NativeLibrary.TryLoad(Library, typeof(torch).Assembly, DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories, out var handle)
            && !NativeLibrary.TryLoad(Library, out handle))
        {
            return null;
        }
        return NativeLibrary.TryGetExport(handle, AvailableSymbol, out var available)
               && NativeLibrary.TryGetExport(handle, GlobalContextSymbol, out var context)
               && NativeLibrary.TryGetExport(handle, SetEnabledSymbol, out var set)
               && NativeLibrary.TryGetExport(handle, EnabledSymbol, out var get)
            ? new LibTorchExports(
                Marshal.GetDelegateForFunctionPointer<BoolGetter>(available),
                Marshal.GetDelegateForFunctionPointer<ContextGetter>(context),
                Marshal.GetDelegateForFunctionPointer<ContextFlagSetter>(set),
                Marshal.GetDelegateForFunctionPointer<ContextFlagGetter>(get))
            : null;
    }
}
