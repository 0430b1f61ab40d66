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
        where TOp : IUnaryOperator =>
        LaneDispatch.Run(tier, new UnaryWork<TOp>(x, y));

    /// <summary>z[i] = TOp(x[i], y[i]) for i &lt; x.Length on the given tier. Validated by the caller.</summary>
    public static void Binary<TOp>(IsaTier tier, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
        where TOp : IBinaryOperator =>
        LaneDispatch.Run(tier, new BinaryWork<TOp>(x, y, z));

    /// <summary>y[i] = TOp(x[i], s) for i &lt; x.Length on the given tier. Validated by the caller.</summary>
    public static void SpanScalar<TOp>(IsaTier tier, ReadOnlySpan<float> x, float s, Span<float> y)
        where TOp : ISpanScalarOperator =>
        LaneDispatch.Run(tier, new SpanScalarWork<TOp>(x, s, y));

    /// <summary>z[i] = TOp(x[i], y[i], s) for i &lt; x.Length on the given tier. Validated by the caller.</summary>
    public static void SpanSpanScalar<TOp>(IsaTier tier, ReadOnlySpan<float> x, ReadOnlySpan<float> y, float s, Span<float> z)
        where TOp : ISpanSpanScalarOperator =>
        LaneDispatch.Run(tier, new SpanSpanScalarWork<TOp>(x, y, s, z));

    /// <summary>
    /// p, s0, s1 = TOp(p, g, s0, s1) for i &lt; p.Length on the given tier, in place (an optimizer's step); the states
    /// past TOp's count may be empty. Validated by the caller.
    /// </summary>
    public static void Update<TOp>(IsaTier tier, TOp op, Span<float> p, ReadOnlySpan<float> g, Span<float> s0, Span<float> s1)
        where TOp : struct, IUpdateOperator =>
        LaneDispatch.Run(tier, new UpdateWork<TOp>(op, p, g, s0, s1));

    /// <summary>
    /// The unary loop over one lane width. 256- and 512-bit vectors start the loop at an aligned store (see
    /// <see cref="AlignedStart"/>), the head before it loaded up front and stored last.
    /// </summary>
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

    /// <summary>The update loop over one lane width, with the tail policy of the others (every span is read before it is written).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Update<TOp, V>(TOp op, Span<float> p, ReadOnlySpan<float> g, Span<float> s0, Span<float> s1)
        where TOp : struct, IUpdateOperator
        where V : struct, ILaneVector<V>
    {
        nint len = p.Length, count = V.Count;
        if (len < count)
        {
            Span<float> pp = stackalloc float[V.Count], pg = stackalloc float[V.Count], ps0 = stackalloc float[V.Count], ps1 = stackalloc float[V.Count];
            p.CopyTo(pp);
            g.CopyTo(pg);
            s0.CopyTo(ps0);
            s1.CopyTo(ps1);
            Update<TOp, V>(op, pp, pg, ps0, ps1);
            pp[..p.Length].CopyTo(p);
            ps0[..s0.Length].CopyTo(s0);
            ps1[..s1.Length].CopyTo(s1);
            return;
        }

        ref float pr = ref MemoryMarshal.GetReference(p);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float s0r = ref MemoryMarshal.GetReference(s0);
        ref float s1r = ref MemoryMarshal.GetReference(s1);
        nint last = len - count;
        V tailP = V.Load(ref pr, last), tailG = V.Load(ref gr, last);
        V tailS0 = TOp.States > 0 ? V.Load(ref s0r, last) : default, tailS1 = TOp.States > 1 ? V.Load(ref s1r, last) : default;
        for (nint i = 0; i < last; i += count)
        {
            V vp = V.Load(ref pr, i);
            V vs0 = TOp.States > 0 ? V.Load(ref s0r, i) : default, vs1 = TOp.States > 1 ? V.Load(ref s1r, i) : default;
            op.Invoke(ref vp, V.Load(ref gr, i), ref vs0, ref vs1);
            Store<TOp, V>(vp, vs0, vs1, ref pr, ref s0r, ref s1r, i);
        }

        op.Invoke(ref tailP, tailG, ref tailS0, ref tailS1);
        Store<TOp, V>(tailP, tailS0, tailS1, ref pr, ref s0r, ref s1r, last);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TOp, V>(V p, V s0, V s1, ref float pr, ref float s0r, ref float s1r, nint at)
        where TOp : struct, IUpdateOperator
        where V : struct, ILaneVector<V>
    {
        V.Store(p, ref pr, at);
        if (TOp.States > 0)
        {
            V.Store(s0, ref s0r, at);
        }

        if (TOp.States > 1)
        {
            V.Store(s1, ref s1r, at);
        }
    }

    private readonly ref struct UnaryWork<TOp>(ReadOnlySpan<float> x, Span<float> y) : ILaneWork
        where TOp : IUnaryOperator
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly Span<float> _y = y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Run<V>()
            where V : struct, ILaneVector<V> => Unary<TOp, V>(_x, _y);
    }

    private readonly ref struct BinaryWork<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z) : ILaneWork
        where TOp : IBinaryOperator
    {
        private readonly ReadOnlySpan<float> _x = x, _y = y;
        private readonly Span<float> _z = z;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Run<V>()
            where V : struct, ILaneVector<V> => Binary<TOp, V>(_x, _y, _z);
    }

    private readonly ref struct SpanScalarWork<TOp>(ReadOnlySpan<float> x, float s, Span<float> y) : ILaneWork
        where TOp : ISpanScalarOperator
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly Span<float> _y = y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Run<V>()
            where V : struct, ILaneVector<V> => SpanScalar<TOp, V>(_x, s, _y);
    }

    private readonly ref struct SpanSpanScalarWork<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, float s, Span<float> z) : ILaneWork
        where TOp : ISpanSpanScalarOperator
    {
        private readonly ReadOnlySpan<float> _x = x, _y = y;
        private readonly Span<float> _z = z;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Run<V>()
            where V : struct, ILaneVector<V> => SpanSpanScalar<TOp, V>(_x, _y, s, _z);
    }

    private readonly ref struct UpdateWork<TOp>(TOp op, Span<float> p, ReadOnlySpan<float> g, Span<float> s0, Span<float> s1) : ILaneWork
        where TOp : struct, IUpdateOperator
    {
        private readonly Span<float> _p = p, _s0 = s0, _s1 = s1;
        private readonly ReadOnlySpan<float> _g = g;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Run<V>()
            where V : struct, ILaneVector<V> => Update<TOp, V>(op, _p, _g, _s0, _s1);
    }
}
