using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnKernels.Kernels;

/// <summary>
/// The one loop driver for elementwise operators. Tail policy: the last vector overlaps the previous one (end at
/// len - Count), loaded before the main loop so an in-place call never re-reads an output (on the 512- and 256-bit
/// tiers unary operators also start their loop at an aligned store, with the first vector likewise loaded up front
/// and stored last); spans shorter than one vector are copied into a padded stack buffer so every element of every
/// length takes the same vector code (identical bits regardless of where an element sits).
/// </summary>
internal static class ElementwiseDriver
{
    /// <summary>y[i] = TOp(x[i]) for i &lt; x.Length on the given tier. Validated by the caller.</summary>
    public static void Unary<TOp>(IsaTier tier, ReadOnlySpan<float> x, Span<float> y)
        where TOp : IUnaryOperator
    {
        switch (tier)
        {
            case IsaTier.Avx512:
                Unary<TOp, Lanes16>(x, y);
                break;
            case IsaTier.Avx2Fma:
                Unary<TOp, Lanes8>(x, y);
                break;
            case IsaTier.Vector128 or IsaTier.Neon:
                Unary<TOp, Lanes4>(x, y);
                break;
            default:
                Unary<TOp, Lanes1>(x, y);
                break;
        }
    }

    /// <summary>z[i] = TOp(x[i], y[i]) for i &lt; x.Length on the given tier. Validated by the caller.</summary>
    public static void Binary<TOp>(IsaTier tier, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
        where TOp : IBinaryOperator
    {
        switch (tier)
        {
            case IsaTier.Avx512:
                Binary<TOp, Lanes16>(x, y, z);
                break;
            case IsaTier.Avx2Fma:
                Binary<TOp, Lanes8>(x, y, z);
                break;
            case IsaTier.Vector128 or IsaTier.Neon:
                Binary<TOp, Lanes4>(x, y, z);
                break;
            default:
                Binary<TOp, Lanes1>(x, y, z);
                break;
        }
    }

    /// <summary>y[i] = TOp(x[i], s) for i &lt; x.Length on the given tier. Validated by the caller.</summary>
    public static void SpanScalar<TOp>(IsaTier tier, ReadOnlySpan<float> x, float s, Span<float> y)
        where TOp : ISpanScalarOperator
    {
        switch (tier)
        {
            case IsaTier.Avx512:
                SpanScalar<TOp, Lanes16>(x, s, y);
                break;
            case IsaTier.Avx2Fma:
                SpanScalar<TOp, Lanes8>(x, s, y);
                break;
            case IsaTier.Vector128 or IsaTier.Neon:
                SpanScalar<TOp, Lanes4>(x, s, y);
                break;
            default:
                SpanScalar<TOp, Lanes1>(x, s, y);
                break;
        }
    }

    /// <summary>z[i] = TOp(x[i], y[i], s) for i &lt; x.Length on the given tier. Validated by the caller.</summary>
    public static void SpanSpanScalar<TOp>(IsaTier tier, ReadOnlySpan<float> x, ReadOnlySpan<float> y, float s, Span<float> z)
        where TOp : ISpanSpanScalarOperator
    {
        switch (tier)
        {
            case IsaTier.Avx512:
                SpanSpanScalar<TOp, Lanes16>(x, y, s, z);
                break;
            case IsaTier.Avx2Fma:
                SpanSpanScalar<TOp, Lanes8>(x, y, s, z);
                break;
            case IsaTier.Vector128 or IsaTier.Neon:
                SpanSpanScalar<TOp, Lanes4>(x, y, s, z);
                break;
            default:
                SpanSpanScalar<TOp, Lanes1>(x, y, s, z);
                break;
        }
    }

    /// <summary>
    /// The unary loop over one lane width. 256- and 512-bit vectors start the loop at an aligned store (see
    /// <see cref="AlignedStart"/>), the head before it loaded up front and stored last.
    /// </summary>
    /// <remarks>
    /// Each width is its own instantiation, compiled and inlined on its own budget: with every width's loop in one
    /// method, the 512-bit one (emulated in software pieces where AVX-512 is disabled) used up the JIT's inlining
    /// budget and the AVX2 loop called the operator out of line, its vector passed through memory (tanh on AVX2 ran
    /// at two thirds of its speed).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Unary<TOp, V>(ReadOnlySpan<float> x, Span<float> y)
        where TOp : IUnaryOperator
        where V : struct, ILaneVector<V>
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        nint len = x.Length, count = V.Count;
        if (len < count)
        {
            Span<float> pad = stackalloc float[V.Count];
            x.CopyTo(pad);
            V.Store(V.Apply<TOp>(V.Load(ref pad[0], 0)), ref pad[0], 0);
            pad[..x.Length].CopyTo(y);
            return;
        }

        nint last = len - count;
        nint start = count >= Lanes8.Count ? AlignedStart(ref yr, V.Count) : 0;
        V head = V.Load(ref xr, 0), tail = V.Load(ref xr, last);
        for (nint i = start; i < last; i += count)
        {
            V.Store(V.Apply<TOp>(V.Load(ref xr, i)), ref yr, i);
        }

        if (start > 0)
        {
            V.Store(V.Apply<TOp>(head), ref yr, 0);
        }

        V.Store(V.Apply<TOp>(tail), ref yr, last);
    }

    /// <summary>The binary loop over one lane width, with the tail policy of the others.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Binary<TOp, V>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
        where TOp : IBinaryOperator
        where V : struct, ILaneVector<V>
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float zr = ref MemoryMarshal.GetReference(z);
        nint len = x.Length, count = V.Count;
        if (len < count)
        {
            Span<float> px = stackalloc float[V.Count];
            Span<float> py = stackalloc float[V.Count];
            x.CopyTo(px);
            y[..x.Length].CopyTo(py);
            V.Store(V.Apply<TOp>(V.Load(ref px[0], 0), V.Load(ref py[0], 0)), ref px[0], 0);
            px[..x.Length].CopyTo(z);
            return;
        }

        nint last = len - count;
        V tailX = V.Load(ref xr, last), tailY = V.Load(ref yr, last);
        for (nint i = 0; i < last; i += count)
        {
            V.Store(V.Apply<TOp>(V.Load(ref xr, i), V.Load(ref yr, i)), ref zr, i);
        }

        V.Store(V.Apply<TOp>(tailX, tailY), ref zr, last);
    }

    /// <summary>
    /// Where the body loop of a unary operator starts: the first element of y on a vector-size boundary (0..count-1),
    /// so no store splits a cache line (a split store costs two, and long spans stream through L2 and L3). The head
    /// vector covers the elements before it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe nint AlignedStart(ref float y, int count)
    {
        nint bytes = count * sizeof(float);
        nint misalignment = (nint)Unsafe.AsPointer(ref y) & (bytes - 1);
        return misalignment == 0 ? 0 : (bytes - misalignment) / sizeof(float);
    }

    /// <summary>The span-scalar loop over one lane width, with the tail policy of the others (see the class remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SpanScalar<TOp, V>(ReadOnlySpan<float> x, float s, Span<float> y)
        where TOp : ISpanScalarOperator
        where V : struct, ILaneVector<V>
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        nint len = x.Length, count = V.Count;
        V vs = V.Broadcast(s);
        if (len < count)
        {
            Span<float> pad = stackalloc float[V.Count];
            x.CopyTo(pad);
            V.Store(TOp.Invoke(V.Load(ref pad[0], 0), vs), ref pad[0], 0);
            pad[..x.Length].CopyTo(y);
            return;
        }

        nint last = len - count;
        V tail = V.Load(ref xr, last);
        for (nint i = 0; i < last; i += count)
        {
            V.Store(TOp.Invoke(V.Load(ref xr, i), vs), ref yr, i);
        }

        V.Store(TOp.Invoke(tail, vs), ref yr, last);
    }

    /// <summary>The span-span-scalar loop over one lane width, with the tail policy of the others.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SpanSpanScalar<TOp, V>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, float s, Span<float> z)
        where TOp : ISpanSpanScalarOperator
        where V : struct, ILaneVector<V>
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float zr = ref MemoryMarshal.GetReference(z);
        nint len = x.Length, count = V.Count;
        V vs = V.Broadcast(s);
        if (len < count)
        {
            Span<float> px = stackalloc float[V.Count];
            Span<float> py = stackalloc float[V.Count];
            x.CopyTo(px);
            y[..x.Length].CopyTo(py);
            V.Store(TOp.Invoke(V.Load(ref px[0], 0), V.Load(ref py[0], 0), vs), ref px[0], 0);
            px[..x.Length].CopyTo(z);
            return;
        }

        nint last = len - count;
        V tailX = V.Load(ref xr, last), tailY = V.Load(ref yr, last);
        for (nint i = 0; i < last; i += count)
        {
            V.Store(TOp.Invoke(V.Load(ref xr, i), V.Load(ref yr, i), vs), ref zr, i);
        }

        V.Store(TOp.Invoke(tailX, tailY, vs), ref zr, last);
    }
}
