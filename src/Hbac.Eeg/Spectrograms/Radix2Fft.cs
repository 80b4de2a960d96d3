using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Hbac.Eeg.Spectrograms;

/// <summary>
/// In-place iterative radix-2 decimation-in-frequency FFT (forward, e^{-2 pi i jk/N}) over separate real
/// and imaginary arrays: input in natural order, output in bit-reversed order (X[k] sits at
/// <see cref="BitReverse"/>[k]). Twiddles are precomputed per stage and stored contiguously (the stage
/// of butterfly span h uses W_2h^j at index h - 1 + j). Stages whose groups fit in
/// <see cref="BlockSize"/> elements run block by block, so most of the work stays in L1 cache.
/// The vectorised form runs 8 independent transforms at once, one per <see cref="Vector256{T}"/> lane
/// (structure of arrays). Scalar and vectorised forms perform the same float operations (fused
/// multiply-adds included) in the same order, so they give bit-identical results.
/// </summary>
internal sealed class Radix2Fft
{
    /// <summary>Elements per cache block: 256 complex 8-lane values are 16 KB.</summary>
    public const int BlockSize = 256;

    public Radix2Fft(int size)
    {
        if (size < 4 || !BitOperations.IsPow2(size))
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "must be a power of two >= 4");
        }
        Size = size;
        var bits = BitOperations.Log2((uint)size);
        BitReverse = new int[size];
        for (var n = 0; n < size; n++)
        {
            BitReverse[n] = (int)(ReverseBits((uint)n) >> (32 - bits));
        }
        TwiddleRe = new float[size - 1];
        TwiddleIm = new float[size - 1];
        for (var half = 1; half < size; half <<= 1)
        {
            for (var j = 0; j < half; j++)
            {
                var angle = -Math.PI * j / half;
                TwiddleRe[half - 1 + j] = (float)Math.Cos(angle);
                TwiddleIm[half - 1 + j] = (float)Math.Sin(angle);
            }
        }
    }

    public int Size { get; }

    /// <summary>Position of output bin k in the transformed array.</summary>
    public int[] BitReverse { get; }

    public float[] TwiddleRe { get; }

    public float[] TwiddleIm { get; }

    /// <summary>Forward transform in place; output bin k at <see cref="BitReverse"/>[k].</summary>
    public void Transform(Span<float> re, Span<float> im) => Transform<float, ScalarLanes>(re, im);

    /// <summary><see cref="Transform(Span{float}, Span{float})"/> for 8 transforms at once, one per lane.</summary>
    public void Transform(Span<Vector256<float>> re, Span<Vector256<float>> im) => Transform<Vector256<float>, Vector256Lanes>(re, im);

    /// <summary>The forward transform of natural-order input into natural-order output (tests and small uses).</summary>
    public void Forward(Span<float> re, Span<float> im)
    {
        Transform(re, im);
        var tr = re.ToArray();
        var ti = im.ToArray();
        for (var k = 0; k < Size; k++)
        {
            re[k] = tr[BitReverse[k]];
            im[k] = ti[BitReverse[k]];
        }
    }

    // One body for every lane width: the lane type's operations are static and inlined, so each width
    // compiles to its own straight-line code, and every lane performs the scalar operations in order.
    public void Transform<T, TLanes>(Span<T> re, Span<T> im)
        where T : struct
        where TLanes : IFloatLanes<T>
    {
        CheckLengths(re.Length, im.Length);
        ref var r = ref MemoryMarshal.GetReference(re);
        ref var i = ref MemoryMarshal.GetReference(im);
        var block = Math.Min(BlockSize, Size);
        var half = Size / 2;
        // Stages go in pairs (spans h and h/2 with the four values in registers: half the loads and stores);
        // an odd stage count leaves one single stage first.
        if (BitOperations.Log2((uint)Size) % 2 == 1)
        {
            Stage<T, TLanes>(ref r, ref i, 0, Size, half);
            half >>= 1;
        }
        for (; half >= block; half >>= 2)
        {
            TwoStages<T, TLanes>(ref r, ref i, 0, Size, half);
        }
        for (var start = 0; start < Size; start += block)
        {
            for (var h = half; h >= 4; h >>= 2)
            {
                TwoStages<T, TLanes>(ref r, ref i, start, block, h);
            }
            LastTwoStages<T, TLanes>(ref r, ref i, start, block);
        }
    }

    // (d_r + i d_i)(w_r + i w_i) as the scalar code always computed it: fma(dr, wr, -(di wi)) and fma(dr, wi, di wr).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (T Re, T Im) Rotate<T, TLanes>(T dr, T di, T wr, T wi)
        where T : struct
        where TLanes : IFloatLanes<T> =>
        (TLanes.FusedMultiplyAdd(dr, wr, TLanes.Negate(TLanes.Multiply(di, wi))), TLanes.FusedMultiplyAdd(dr, wi, TLanes.Multiply(di, wr)));

    // One DIF stage of span `half` over [start, start + length): a' = a + b, b' = (a - b) W^j.
    private void Stage<T, TLanes>(ref T r, ref T i, int start, int length, int half)
        where T : struct
        where TLanes : IFloatLanes<T>
    {
        ref var twr = ref MemoryMarshal.GetArrayDataReference(TwiddleRe);
        ref var twi = ref MemoryMarshal.GetArrayDataReference(TwiddleIm);
        for (var s = start; s < start + length; s += 2 * half)
        {
            for (var j = 0; j < half; j++)
            {
                var wr = TLanes.Broadcast(Unsafe.Add(ref twr, half - 1 + j));
                var wi = TLanes.Broadcast(Unsafe.Add(ref twi, half - 1 + j));
                ref var ar = ref Unsafe.Add(ref r, s + j);
                ref var ai = ref Unsafe.Add(ref i, s + j);
                ref var br = ref Unsafe.Add(ref r, s + j + half);
                ref var bi = ref Unsafe.Add(ref i, s + j + half);
                var dr = TLanes.Subtract(ar, br);
                var di = TLanes.Subtract(ai, bi);
                ar = TLanes.Add(ar, br);
                ai = TLanes.Add(ai, bi);
                (br, bi) = Rotate<T, TLanes>(dr, di, wr, wi);
            }
        }
    }

    // DIF stages of span h and h/2 over [start, start + length) in one pass, with exactly the operations of
    // two Stage calls: (a, c) and (b, d) at span h, then (a, b) and (c, d) at span h/2.
    private void TwoStages<T, TLanes>(ref T r, ref T i, int start, int length, int half)
        where T : struct
        where TLanes : IFloatLanes<T>
    {
        ref var twr = ref MemoryMarshal.GetArrayDataReference(TwiddleRe);
        ref var twi = ref MemoryMarshal.GetArrayDataReference(TwiddleIm);
        var quarter = half / 2;
        for (var s = start; s < start + length; s += 2 * half)
        {
            for (var j = 0; j < quarter; j++)
            {
                var w1r = TLanes.Broadcast(Unsafe.Add(ref twr, half - 1 + j));
                var w1i = TLanes.Broadcast(Unsafe.Add(ref twi, half - 1 + j));
                var w2r = TLanes.Broadcast(Unsafe.Add(ref twr, half - 1 + j + quarter));
                var w2i = TLanes.Broadcast(Unsafe.Add(ref twi, half - 1 + j + quarter));
                var w3r = TLanes.Broadcast(Unsafe.Add(ref twr, quarter - 1 + j));
                var w3i = TLanes.Broadcast(Unsafe.Add(ref twi, quarter - 1 + j));
                ref var ar = ref Unsafe.Add(ref r, s + j);
                ref var ai = ref Unsafe.Add(ref i, s + j);
                ref var br = ref Unsafe.Add(ref r, s + j + quarter);
                ref var bi = ref Unsafe.Add(ref i, s + j + quarter);
                ref var cr = ref Unsafe.Add(ref r, s + j + half);
                ref var ci = ref Unsafe.Add(ref i, s + j + half);
                ref var dr = ref Unsafe.Add(ref r, s + j + half + quarter);
                ref var di = ref Unsafe.Add(ref i, s + j + half + quarter);
                var (c1r, c1i) = Rotate<T, TLanes>(TLanes.Subtract(ar, cr), TLanes.Subtract(ai, ci), w1r, w1i);
                var a1r = TLanes.Add(ar, cr);
                var a1i = TLanes.Add(ai, ci);
                var (d1r, d1i) = Rotate<T, TLanes>(TLanes.Subtract(br, dr), TLanes.Subtract(bi, di), w2r, w2i);
                var b1r = TLanes.Add(br, dr);
                var b1i = TLanes.Add(bi, di);
                ar = TLanes.Add(a1r, b1r);
                ai = TLanes.Add(a1i, b1i);
                (br, bi) = Rotate<T, TLanes>(TLanes.Subtract(a1r, b1r), TLanes.Subtract(a1i, b1i), w3r, w3i);
                cr = TLanes.Add(c1r, d1r);
                ci = TLanes.Add(c1i, d1i);
                (dr, di) = Rotate<T, TLanes>(TLanes.Subtract(c1r, d1r), TLanes.Subtract(c1i, d1i), w3r, w3i);
            }
        }
    }

    // Spans 2 and 1 together: their twiddles are 1 and -i, so no multiplications.
    private static void LastTwoStages<T, TLanes>(ref T r, ref T i, int start, int length)
        where T : struct
        where TLanes : IFloatLanes<T>
    {
        for (var s = start; s < start + length; s += 4)
        {
            ref var r0 = ref Unsafe.Add(ref r, s);
            ref var r1 = ref Unsafe.Add(ref r, s + 1);
            ref var r2 = ref Unsafe.Add(ref r, s + 2);
            ref var r3 = ref Unsafe.Add(ref r, s + 3);
            ref var i0 = ref Unsafe.Add(ref i, s);
            ref var i1 = ref Unsafe.Add(ref i, s + 1);
            ref var i2 = ref Unsafe.Add(ref i, s + 2);
            ref var i3 = ref Unsafe.Add(ref i, s + 3);
            // Span 2: (0, 2) twiddle 1; (1, 3) twiddle -i: (d r + i d i)(-i) = d i - i d r.
            var a0r = TLanes.Add(r0, r2);
            var a0i = TLanes.Add(i0, i2);
            var a2r = TLanes.Subtract(r0, r2);
            var a2i = TLanes.Subtract(i0, i2);
            var a1r = TLanes.Add(r1, r3);
            var a1i = TLanes.Add(i1, i3);
            var a3r = TLanes.Subtract(i1, i3);
            var a3i = TLanes.Negate(TLanes.Subtract(r1, r3));
            // Span 1: (0, 1) and (2, 3), twiddle 1.
            r0 = TLanes.Add(a0r, a1r);
            i0 = TLanes.Add(a0i, a1i);
            r1 = TLanes.Subtract(a0r, a1r);
            i1 = TLanes.Subtract(a0i, a1i);
            r2 = TLanes.Add(a2r, a3r);
            i2 = TLanes.Add(a2i, a3i);
            r3 = TLanes.Subtract(a2r, a3r);
            i3 = TLanes.Subtract(a2i, a3i);
        }
    }

    private void CheckLengths(int reLength, int imLength)
    {
        if (reLength != Size || imLength != Size)
        {
            throw new ArgumentException($"FFT of size {Size} needs arrays of that length, got {reLength} and {imLength}");
        }
    }

    private static uint ReverseBits(uint v)
    {
        v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
        v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
        v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
        v = ((v >> 8) & 0x00FF00FFu) | ((v & 0x00FF00FFu) << 8);
        return (v >> 16) | (v << 16);
    }
}
