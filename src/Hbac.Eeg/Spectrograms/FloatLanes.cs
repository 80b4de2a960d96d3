using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Hbac.Eeg.Spectrograms;

/// <summary>
/// The float operations of <see cref="Radix2Fft"/>, for one lane type: a float, or 8 or 16 floats in one
/// register. Each lane computes exactly what the float form computes (the fused multiply-add included),
/// so every width gives bit-identical transforms.
/// </summary>
internal interface IFloatLanes<T> where T : struct
{
    static abstract T Broadcast(float value);

    static abstract T Add(T a, T b);

    static abstract T Subtract(T a, T b);

    static abstract T Multiply(T a, T b);

    static abstract T Negate(T a);

    static abstract T FusedMultiplyAdd(T a, T b, T c);
}

/// <summary>
/// What the EEG window's FFT frames need beyond arithmetic: one sample of each lane's frame
/// (<c>signal[starts[k] + n]</c>, times the window coefficient) in, and each lane's power
/// <c>(double)re * re + (double)im * im</c> out, in lane order.
/// </summary>
internal interface IFrameLanes<T> : IFloatLanes<T> where T : struct
{
    static abstract int Count { get; }

    static abstract T Gather(float[] signal, ReadOnlySpan<int> starts, int n, float coefficient);

    static abstract void StorePowers(T re, T im, Span<double> destination);
}

internal readonly struct ScalarLanes : IFloatLanes<float>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Broadcast(float value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Subtract(float a, float b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Multiply(float a, float b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Negate(float a) => -a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float FusedMultiplyAdd(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);
}

internal readonly struct Vector256Lanes : IFrameLanes<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Gather(float[] signal, ReadOnlySpan<int> starts, int n, float coefficient) =>
        Vector256.Create(signal[starts[0] + n], signal[starts[1] + n], signal[starts[2] + n], signal[starts[3] + n],
            signal[starts[4] + n], signal[starts[5] + n], signal[starts[6] + n], signal[starts[7] + n]) * Vector256.Create(coefficient);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePowers(Vector256<float> re, Vector256<float> im, Span<double> destination)
    {
        var (rLow, iLow, rHigh, iHigh) = (Vector256.WidenLower(re), Vector256.WidenLower(im), Vector256.WidenUpper(re), Vector256.WidenUpper(im));
        (rLow * rLow + iLow * iLow).CopyTo(destination);
        (rHigh * rHigh + iHigh * iHigh).CopyTo(destination[Vector256<double>.Count..]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Broadcast(float value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Negate(Vector256<float> a) => -a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> FusedMultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);
}
