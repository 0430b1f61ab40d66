using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnKernels.Kernels;

// The M = 1 product with a matrix packed in the micro-kernel's panels (<see cref="PackedMatrix"/>).
internal static unsafe partial class Gemv
{
    /// <summary>
    /// c[j] = alpha * sum_p x[p] * B(p, j) + beta * c[j] for j &lt; n, with B (k x n) packed beforehand in the
    /// micro-kernel's panels of its tier (<see cref="PackedMatrix"/>). A recurrent step at batch 1 reads W_R^T this way:
    /// the dot form over W_R's rows reduces every four outputs across lanes and is slower than the panels
    /// (<see cref="Panels{V}"/>; docs/design-notes.md), and the W_R^T a plain product would need is a transpose per
    /// pass anyway, which costs about as much as packing it.
    /// </summary>
    public static void RunPacked(IsaTier tier, int n, int k, float alpha, float* x, PackedPanels b, float beta, float* c)
    {
        int kc = GemmGeometry.KC(tier);
        for (int pc = 0; pc < k; pc += kc)
        {
            int depth = Math.Min(kc, k - pc);
            float blockBeta = pc == 0 ? beta : 1f; // As the GEMM driver: beta once, later k blocks accumulate.
            LaneDispatch.Run(tier, new PanelsWork(n, pc, depth, GemmGeometry.Tile(tier).NR, alpha, x + pc, b, blockBeta, c));
        }
    }

    /// <summary>
    /// One k block of <see cref="RunPacked"/>. A panel row of 256- or 512-bit vectors is a cache line, the product is
    /// bound by reading B from L2, and the panels are read one at a time, as one stream: passes over up to six panels at
    /// once kept six streams 6.4 KB apart open and were slower. With 128-bit vectors the product is bound by
    /// instructions instead, and a broadcast of x shared by up to twelve FMAs wins (docs/design-notes.md).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Panels<V>(int n, int pc, int kc, float alpha, float* x, PackedPanels b, float beta, float* c)
        where V : struct, ILaneVector<V>
    {
        if (V.Count > Lanes4.Count)
        {
            PanelByPanel<V>(n, pc, kc, alpha, x, b, beta, c);
        }
        else
        {
            PanelPasses<V>(n, pc, kc, alpha, x, b, beta, c);
        }
    }

    /// <summary>
    /// One k block of <see cref="Panels{V}"/> for 256- and 512-bit vectors, panel after panel: each panel's depth split
    /// over four pairs of accumulators (p mod 4), eight independent FMA chains, added at the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PanelByPanel<V>(int n, int pc, int kc, float alpha, float* x, PackedPanels b, float beta, float* c)
        where V : struct, ILaneVector<V>
    {
        int w = V.Count, nr = 2 * w;
        float* lanes = stackalloc float[V.Count];
        for (int j = 0; j < n; j += nr)
        {
            float* q = b.Panel(pc, kc, j);
            V a0 = default, a1 = default, b0 = default, b1 = default, c0 = default, c1 = default, d0 = default, d1 = default;
            int p = 0;
            for (; p <= kc - 4; p += 4, q += 4 * nr)
            {
                V x0 = V.Broadcast(x[p]), x1 = V.Broadcast(x[p + 1]), x2 = V.Broadcast(x[p + 2]), x3 = V.Broadcast(x[p + 3]);
                a0 = V.MultiplyAdd(x0, V.Load(q), a0);
                a1 = V.MultiplyAdd(x0, V.Load(q + w), a1);
                b0 = V.MultiplyAdd(x1, V.Load(q + nr), b0);
                b1 = V.MultiplyAdd(x1, V.Load(q + nr + w), b1);
                c0 = V.MultiplyAdd(x2, V.Load(q + (2 * nr)), c0);
                c1 = V.MultiplyAdd(x2, V.Load(q + (2 * nr) + w), c1);
                d0 = V.MultiplyAdd(x3, V.Load(q + (3 * nr)), d0);
                d1 = V.MultiplyAdd(x3, V.Load(q + (3 * nr) + w), d1);
            }

            for (; p < kc; p++, q += nr)
            {
                V xp = V.Broadcast(x[p]);
                a0 = V.MultiplyAdd(xp, V.Load(q), a0);
                a1 = V.MultiplyAdd(xp, V.Load(q + w), a1);
            }

            Put(c, j, n, (a0 + b0) + (c0 + d0), alpha, beta, lanes);
            Put(c, j + w, n, (a1 + b1) + (c1 + d1), alpha, beta, lanes);
        }
    }

    /// <summary>
    /// Most panels one pass holds: two column vectors each (every vector tier's NR), so twelve accumulators and the
    /// broadcast, in the sixteen vector registers of x64.
    /// </summary>
    private const int MaxPassPanels = 6;

    /// <summary>
    /// One k block of <see cref="Panels{V}"/> for 128-bit vectors: balanced passes of up to <see cref="MaxPassPanels"/>
    /// panels.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PanelPasses<V>(int n, int pc, int kc, float alpha, float* x, PackedPanels b, float beta, float* c)
        where V : struct, ILaneVector<V>
    {
        int nr = 2 * V.Count, panels = (n + nr - 1) / nr;
        int passes = (panels + MaxPassPanels - 1) / MaxPassPanels;
        for (int pass = 0, first = 0; pass < passes; pass++)
        {
            int left = passes - pass, count = ((panels - first) + left - 1) / left;
            switch (count)
            {
                case 1: PanelPass<V, Count1>(first * nr, n, pc, kc, alpha, x, b, beta, c); break;
                case 2: PanelPass<V, Count2>(first * nr, n, pc, kc, alpha, x, b, beta, c); break;
                case 3: PanelPass<V, Count3>(first * nr, n, pc, kc, alpha, x, b, beta, c); break;
                case 4: PanelPass<V, Count4>(first * nr, n, pc, kc, alpha, x, b, beta, c); break;
                case 5: PanelPass<V, Count5>(first * nr, n, pc, kc, alpha, x, b, beta, c); break;
                default: PanelPass<V, Count6>(first * nr, n, pc, kc, alpha, x, b, beta, c); break;
            }

            first += count;
        }
    }

    /// <summary>
    /// <typeparamref name="TCount"/> panels from column <paramref name="j"/>: each panel's two vectors summed over the
    /// block in order of p, each panel read through its own pointer (consecutive panels of a k block are kc * NR apart).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void PanelPass<V, TCount>(int j, int n, int pc, int kc, float alpha, float* x, PackedPanels b, float beta, float* c)
        where V : struct, ILaneVector<V>
        where TCount : struct, ICount
    {
        int w = V.Count, nr = 2 * w, count = TCount.Value;
        nint panelStride = (nint)kc * nr;
        float* q0 = b.Panel(pc, kc, j), q1 = q0 + panelStride, q2 = q1 + panelStride;
        float* q3 = q2 + panelStride, q4 = q3 + panelStride, q5 = q4 + panelStride;
        V a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        V a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        for (int p = 0; p < kc; p++)
        {
            V xp = V.Broadcast(x[p]);
            a0 = V.MultiplyAdd(xp, V.Load(q0), a0);
            a1 = V.MultiplyAdd(xp, V.Load(q0 + w), a1);
            q0 += nr;
            if (count > 1)
            {
                a2 = V.MultiplyAdd(xp, V.Load(q1), a2);
                a3 = V.MultiplyAdd(xp, V.Load(q1 + w), a3);
                q1 += nr;
            }

            if (count > 2)
            {
                a4 = V.MultiplyAdd(xp, V.Load(q2), a4);
                a5 = V.MultiplyAdd(xp, V.Load(q2 + w), a5);
                q2 += nr;
            }

            if (count > 3)
            {
                a6 = V.MultiplyAdd(xp, V.Load(q3), a6);
                a7 = V.MultiplyAdd(xp, V.Load(q3 + w), a7);
                q3 += nr;
            }

            if (count > 4)
            {
                a8 = V.MultiplyAdd(xp, V.Load(q4), a8);
                a9 = V.MultiplyAdd(xp, V.Load(q4 + w), a9);
                q4 += nr;
            }

            if (count > 5)
            {
                a10 = V.MultiplyAdd(xp, V.Load(q5), a10);
                a11 = V.MultiplyAdd(xp, V.Load(q5 + w), a11);
                q5 += nr;
            }
        }

        float* lanes = stackalloc float[V.Count];
        Put(c, j, n, a0, alpha, beta, lanes);
        Put(c, j + w, n, a1, alpha, beta, lanes);
        if (count > 1) { Put(c, j + (2 * w), n, a2, alpha, beta, lanes); Put(c, j + (3 * w), n, a3, alpha, beta, lanes); }
        if (count > 2) { Put(c, j + (4 * w), n, a4, alpha, beta, lanes); Put(c, j + (5 * w), n, a5, alpha, beta, lanes); }
        if (count > 3) { Put(c, j + (6 * w), n, a6, alpha, beta, lanes); Put(c, j + (7 * w), n, a7, alpha, beta, lanes); }
        if (count > 4) { Put(c, j + (8 * w), n, a8, alpha, beta, lanes); Put(c, j + (9 * w), n, a9, alpha, beta, lanes); }
        if (count > 5) { Put(c, j + (10 * w), n, a10, alpha, beta, lanes); Put(c, j + (11 * w), n, a11, alpha, beta, lanes); }
    }

    /// <summary>Stores the columns of a vector of sums that start at <paramref name="j"/> and lie below n (a panel's padding does not).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put<V>(float* c, int j, int n, V sum, float alpha, float beta, float* lanes)
        where V : struct, ILaneVector<V>
    {
        if (j + V.Count <= n)
        {
            Store(c + j, sum, alpha, beta);
        }
        else if (j < n)
        {
            StoreLanes(c + j, sum, 0, n - j, alpha, beta, lanes);
        }
    }

    /// <summary>
    /// Lanes [<paramref name="first"/>, <paramref name="end"/>) of a vector of sums into c[first..end), each as
    /// <see cref="Combine"/> computes it; <paramref name="lanes"/> is scratch for one vector.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreLanes<V>(float* c, V sum, int first, int end, float alpha, float beta, float* lanes)
        where V : struct, ILaneVector<V>
    {
        V.Store(sum, lanes);
        for (int lane = first; lane < end; lane++)
        {
            c[lane] = Combine(lanes[lane], alpha, beta, c[lane]);
        }
    }

    /// <summary>The reference for one k block of <see cref="RunPacked"/>: column by column through the panels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PanelsScalar(int n, int pc, int kc, int nr, float alpha, float* x, PackedPanels b, float beta, float* c)
    {
        for (int j = 0; j < n; j++)
        {
            float* column = b.Panel(pc, kc, j - (j % nr)) + (j % nr);
            float s = 0f;
            for (int p = 0; p < kc; p++)
            {
                s += x[p] * column[p * nr];
            }

            c[j] = Combine(s, alpha, beta, c[j]);
        }
    }

    /// <summary>One k block of <see cref="RunPacked"/> at a width; the scalar tier runs the reference loop over its NR-wide panels.</summary>
    private readonly struct PanelsWork(int n, int pc, int kc, int nr, float alpha, float* x, PackedPanels b, float beta, float* c) : ILaneWork
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Run<V>()
            where V : struct, ILaneVector<V>
        {
            if (V.Count > 1)
            {
                Panels<V>(n, pc, kc, alpha, x, b, beta, c);
            }
            else
            {
                PanelsScalar(n, pc, kc, nr, alpha, x, b, beta, c);
            }
        }
    }
}
