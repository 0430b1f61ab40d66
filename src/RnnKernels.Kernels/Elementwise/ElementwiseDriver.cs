using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
    /// <remarks>
    /// Each tier's loop is a method of its own, so the JIT compiles and inlines each on its own budget: in one method,
    /// the 512-bit branch (emulated in software pieces where AVX-512 is disabled) used up the inlining budget and the
    /// AVX2 loop called the operator out of line, its vector passed through memory (tanh on AVX2 ran at half speed).
    /// </remarks>
    public static void Unary<TOp>(IsaTier tier, ReadOnlySpan<float> x, Span<float> y)
        where TOp : IUnaryOperator
    {
        switch (tier)
        {
            case IsaTier.Avx512:
                Unary512<TOp>(x, y);
                break;
            case IsaTier.Avx2Fma:
                Unary256<TOp>(x, y);
                break;
            case IsaTier.Vector128 or IsaTier.Neon:
                Unary128<TOp>(x, y);
                break;
            default:
                UnaryScalar<TOp>(x, y);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Unary512<TOp>(ReadOnlySpan<float> x, Span<float> y)
        where TOp : IUnaryOperator
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        nint len = x.Length;
        if (len < Vector512<float>.Count)
        {
            Span<float> pad = stackalloc float[Vector512<float>.Count];
            x.CopyTo(pad);
            TOp.Invoke(Vector512.Create<float>(pad)).CopyTo(pad);
            pad[..x.Length].CopyTo(y);
            return;
        }

        nint last = len - Vector512<float>.Count;
        Vector512<float> head = Vector512.LoadUnsafe(ref xr);
        Vector512<float> tail = Vector512.LoadUnsafe(ref xr, (nuint)last);
        for (nint i = AlignedStart(ref yr, Vector512<float>.Count); i < last; i += Vector512<float>.Count)
        {
            TOp.Invoke(Vector512.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }

        TOp.Invoke(head).StoreUnsafe(ref yr);
        TOp.Invoke(tail).StoreUnsafe(ref yr, (nuint)last);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Unary256<TOp>(ReadOnlySpan<float> x, Span<float> y)
        where TOp : IUnaryOperator
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        nint len = x.Length;
        if (len < Vector256<float>.Count)
        {
            Span<float> pad = stackalloc float[Vector256<float>.Count];
            x.CopyTo(pad);
            TOp.Invoke(Vector256.Create<float>(pad)).CopyTo(pad);
            pad[..x.Length].CopyTo(y);
            return;
        }

        nint last = len - Vector256<float>.Count;
        Vector256<float> head = Vector256.LoadUnsafe(ref xr);
        Vector256<float> tail = Vector256.LoadUnsafe(ref xr, (nuint)last);
        for (nint i = AlignedStart(ref yr, Vector256<float>.Count); i < last; i += Vector256<float>.Count)
        {
            TOp.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }

        TOp.Invoke(head).StoreUnsafe(ref yr);
        TOp.Invoke(tail).StoreUnsafe(ref yr, (nuint)last);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Unary128<TOp>(ReadOnlySpan<float> x, Span<float> y)
        where TOp : IUnaryOperator
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        nint len = x.Length;
        if (len < Vector128<float>.Count)
        {
            Span<float> pad = stackalloc float[Vector128<float>.Count];
            x.CopyTo(pad);
            TOp.Invoke(Vector128.Create<float>(pad)).CopyTo(pad);
            pad[..x.Length].CopyTo(y);
            return;
        }

        nint last = len - Vector128<float>.Count;
        Vector128<float> tail = Vector128.LoadUnsafe(ref xr, (nuint)last);
        for (nint i = 0; i < last; i += Vector128<float>.Count)
        {
            TOp.Invoke(Vector128.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }

        TOp.Invoke(tail).StoreUnsafe(ref yr, (nuint)last);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UnaryScalar<TOp>(ReadOnlySpan<float> x, Span<float> y)
        where TOp : IUnaryOperator
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        nint len = x.Length;
        for (nint i = 0; i < len; i++)
        {
            Unsafe.Add(ref yr, i) = TOp.Invoke(Unsafe.Add(ref xr, i));
        }
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

    /// <summary>z[i] = TOp(x[i], y[i]) for i &lt; x.Length on the given tier. Validated by the caller.</summary>
    /// <remarks>One method per tier, as for <see cref="Unary{TOp}"/>.</remarks>
    public static void Binary<TOp>(IsaTier tier, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
        where TOp : IBinaryOperator
    {
        switch (tier)
        {
            case IsaTier.Avx512:
                Binary512<TOp>(x, y, z);
                break;
            case IsaTier.Avx2Fma:
                Binary256<TOp>(x, y, z);
                break;
            case IsaTier.Vector128 or IsaTier.Neon:
                Binary128<TOp>(x, y, z);
                break;
            default:
                BinaryScalar<TOp>(x, y, z);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Binary512<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
        where TOp : IBinaryOperator
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float zr = ref MemoryMarshal.GetReference(z);
        nint len = x.Length;
        if (len < Vector512<float>.Count)
        {
            Span<float> px = stackalloc float[Vector512<float>.Count];
            Span<float> py = stackalloc float[Vector512<float>.Count];
            x.CopyTo(px);
            y[..x.Length].CopyTo(py);
            TOp.Invoke(Vector512.Create<float>(px), Vector512.Create<float>(py)).CopyTo(px);
            px[..x.Length].CopyTo(z);
            return;
        }

        nint last = len - Vector512<float>.Count;
        Vector512<float> tailX = Vector512.LoadUnsafe(ref xr, (nuint)last);
        Vector512<float> tailY = Vector512.LoadUnsafe(ref yr, (nuint)last);
        for (nint i = 0; i < last; i += Vector512<float>.Count)
        {
            TOp.Invoke(Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref zr, (nuint)i);
        }

        TOp.Invoke(tailX, tailY).StoreUnsafe(ref zr, (nuint)last);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Binary256<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
        where TOp : IBinaryOperator
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float zr = ref MemoryMarshal.GetReference(z);
        nint len = x.Length;
        if (len < Vector256<float>.Count)
        {
            Span<float> px = stackalloc float[Vector256<float>.Count];
            Span<float> py = stackalloc float[Vector256<float>.Count];
            x.CopyTo(px);
            y[..x.Length].CopyTo(py);
            TOp.Invoke(Vector256.Create<float>(px), Vector256.Create<float>(py)).CopyTo(px);
            px[..x.Length].CopyTo(z);
            return;
        }

        nint last = len - Vector256<float>.Count;
        Vector256<float> tailX = Vector256.LoadUnsafe(ref xr, (nuint)last);
        Vector256<float> tailY = Vector256.LoadUnsafe(ref yr, (nuint)last);
        for (nint i = 0; i < last; i += Vector256<float>.Count)
        {
            TOp.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref zr, (nuint)i);
        }

        TOp.Invoke(tailX, tailY).StoreUnsafe(ref zr, (nuint)last);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Binary128<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
        where TOp : IBinaryOperator
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float zr = ref MemoryMarshal.GetReference(z);
        nint len = x.Length;
        if (len < Vector128<float>.Count)
        {
            Span<float> px = stackalloc float[Vector128<float>.Count];
            Span<float> py = stackalloc float[Vector128<float>.Count];
            x.CopyTo(px);
            y[..x.Length].CopyTo(py);
            TOp.Invoke(Vector128.Create<float>(px), Vector128.Create<float>(py)).CopyTo(px);
            px[..x.Length].CopyTo(z);
            return;
        }

        nint last = len - Vector128<float>.Count;
        Vector128<float> tailX = Vector128.LoadUnsafe(ref xr, (nuint)last);
        Vector128<float> tailY = Vector128.LoadUnsafe(ref yr, (nuint)last);
        for (nint i = 0; i < last; i += Vector128<float>.Count)
        {
            TOp.Invoke(Vector128.LoadUnsafe(ref xr, (nuint)i), Vector128.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref zr, (nuint)i);
        }

        TOp.Invoke(tailX, tailY).StoreUnsafe(ref zr, (nuint)last);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BinaryScalar<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
        where TOp : IBinaryOperator
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float zr = ref MemoryMarshal.GetReference(z);
        nint len = x.Length;
        for (nint i = 0; i < len; i++)
        {
            Unsafe.Add(ref zr, i) = TOp.Invoke(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
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

    /// <summary>The span-scalar loop over one lane width, with the tail policy of the others (see the class remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SpanScalar<TOp, V>(ReadOnlySpan<float> x, float s, Span<float> y)
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
