using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnKernels.Kernels;

/// <summary>
/// The M = 1 fast path (a row vector times a matrix): B streamed once, as it is or already packed. A 6-row
/// micro-kernel would waste five sixths of its FMAs here, and packing B for one product would cost as much as the
/// product itself.
/// </summary>
/// <remarks>
/// A recurrent step at batch 1 is two of these per time step (h W_R^T forward, dA W_R backward), so their latency is
/// the step's: the row form keeps one accumulator per column vector of a pass in registers (up to thirteen, enough
/// for two FMA pipes of four-cycle latency) and finishes the columns that do not fill a vector with a vector, not a
/// scalar loop per column; the packed form reads its panels as one stream where it is bound by L2 (see
/// <see cref="Panels{V}"/>); the dot form reduces four rows' accumulators together
/// (<see cref="ILaneVector{TSelf}.SumEach"/>).
/// </remarks>
internal static unsafe partial class Gemv
{
    /// <summary>
    /// c[j] = alpha * sum_p x[p] * op(B)(p, j) + beta * c[j] for j &lt; n, with x contiguous of length k, on
    /// <paramref name="tier"/> (<see cref="IsaTier.Scalar"/> runs the reference loops).
    /// </summary>
    public static void Run(IsaTier tier, Transpose transB, int n, int k, float alpha, float* x, float* b, nint ldb, float beta, float* c) =>
        LaneDispatch.Run(tier, new ProductWork(transB, n, k, alpha, x, b, ldb, beta, c));

    private static void Run<V>(Transpose transB, int n, int k, float alpha, float* x, float* b, nint ldb, float beta, float* c)
        where V : struct, ILaneVector<V>
    {
        if (transB == Transpose.No)
        {
            Rows<V>(n, k, alpha, x, b, ldb, beta, c);
        }
        else
        {
            Dots<V>(n, k, alpha, x, b, ldb, beta, c);
        }
    }

    /// <summary>
    /// Most column vectors one pass of the row form holds: thirteen accumulators and the broadcast of x[p] fit the
    /// sixteen vector registers of x64 (AVX2, SSE). H = 100 on AVX2 is thirteen vectors, the last one overlapping.
    /// </summary>
    private const int MaxPassVectors = 13;

    /// <summary>
    /// Column vectors in the next pass of the row form with <paramref name="remaining"/> vectors left: the passes
    /// balanced, none over <see cref="MaxPassVectors"/>.
    /// </summary>
    internal static int PassVectors(int remaining)
    {
        int passes = (remaining + MaxPassVectors - 1) / MaxPassVectors;
        return (remaining + passes - 1) / passes;
    }

    /// <summary>
    /// op(B) = B: accumulate x[p] * B[p, j..] over p in one register per column vector, reading B row after row. Up to
    /// <see cref="MaxPassVectors"/> vectors go in one pass over B, the passes balanced, so B is read once, in order,
    /// where it is that narrow: a pass per four vectors crosses every row at B's stride again and again, nearly twice
    /// as slow for the step's backward product at batch 1 (docs/design-notes.md). Columns short of a vector are
    /// the last full vector of the row, read overlapping, with only their lanes stored; every column sums its terms in
    /// order of p whatever pass it falls in, so a split of the columns between threads changes no bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows<V>(int n, int k, float alpha, float* x, float* b, nint ldb, float beta, float* c)
        where V : struct, ILaneVector<V>
    {
        int w = V.Count;
        if (n < w)
        {
            RowsScalar(0, n, k, alpha, x, b, ldb, beta, c);
            return;
        }

        int vectors = (n + w - 1) / w;
        for (int done = 0; done < vectors;)
        {
            int count = PassVectors(vectors - done), j = done * w;
            int end = Math.Min(j + (count * w), n);
            RowPass<V>(count, j, end - w, n, k, alpha, x, b, ldb, beta, c);
            done += count;
        }
    }

    /// <summary>One pass of <paramref name="count"/> column vectors (see <see cref="RowPass{V, TCount}"/>).</summary>
    private static void RowPass<V>(int count, int j, int lastStart, int n, int k, float alpha, float* x, float* b, nint ldb, float beta, float* c)
        where V : struct, ILaneVector<V>
    {
        switch (count)
        {
            case 1: RowPass<V, Count1>(j, lastStart, n, k, alpha, x, b, ldb, beta, c); break;
            case 2: RowPass<V, Count2>(j, lastStart, n, k, alpha, x, b, ldb, beta, c); break;
            case 3: RowPass<V, Count3>(j, lastStart, n, k, alpha, x, b, ldb, beta, c); break;
            case 4: RowPass<V, Count4>(j, lastStart, n, k, alpha, x, b, ldb, beta, c); break;
            case 5: RowPass<V, Count5>(j, lastStart, n, k, alpha, x, b, ldb, beta, c); break;
            case 6: RowPass<V, Count6>(j, lastStart, n, k, alpha, x, b, ldb, beta, c); break;
            case 7: RowPass<V, Count7>(j, lastStart, n, k, alpha, x, b, ldb, beta, c); break;
            case 8: RowPass<V, Count8>(j, lastStart, n, k, alpha, x, b, ldb, beta, c); break;
            case 9: RowPass<V, Count9>(j, lastStart, n, k, alpha, x, b, ldb, beta, c); break;
            case 10: RowPass<V, Count10>(j, lastStart, n, k, alpha, x, b, ldb, beta, c); break;
            case 11: RowPass<V, Count11>(j, lastStart, n, k, alpha, x, b, ldb, beta, c); break;
            case 12: RowPass<V, Count12>(j, lastStart, n, k, alpha, x, b, ldb, beta, c); break;
            default: RowPass<V, Count13>(j, lastStart, n, k, alpha, x, b, ldb, beta, c); break;
        }
    }

    /// <summary>
    /// <typeparamref name="TCount"/> column vectors from column <paramref name="j"/>, the last read at
    /// <paramref name="lastStart"/>: at end - w for B itself (overlapping the one before it when the pass is not a
    /// whole number of vectors), in sequence for a packed group, whose padding past n is read and not stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void RowPass<V, TCount>(int j, int lastStart, int n, int k, float alpha, float* x, float* b, nint ldb, float beta, float* c)
        where V : struct, ILaneVector<V>
        where TCount : struct, ICount
    {
        int w = V.Count, count = TCount.Value;
        float* col = b + j, last = b + lastStart;
        V a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default;
        V a7 = default, a8 = default, a9 = default, a10 = default, a11 = default, a12 = default;
        for (int p = 0; p < k; p++)
        {
            V xp = V.Broadcast(x[p]);
            nint row = p * ldb;
            a0 = V.MultiplyAdd(xp, V.Load(Column(0, count, col, last, w) + row), a0);
            if (count > 1) { a1 = V.MultiplyAdd(xp, V.Load(Column(1, count, col, last, w) + row), a1); }
            if (count > 2) { a2 = V.MultiplyAdd(xp, V.Load(Column(2, count, col, last, w) + row), a2); }
            if (count > 3) { a3 = V.MultiplyAdd(xp, V.Load(Column(3, count, col, last, w) + row), a3); }
            if (count > 4) { a4 = V.MultiplyAdd(xp, V.Load(Column(4, count, col, last, w) + row), a4); }
            if (count > 5) { a5 = V.MultiplyAdd(xp, V.Load(Column(5, count, col, last, w) + row), a5); }
            if (count > 6) { a6 = V.MultiplyAdd(xp, V.Load(Column(6, count, col, last, w) + row), a6); }
            if (count > 7) { a7 = V.MultiplyAdd(xp, V.Load(Column(7, count, col, last, w) + row), a7); }
            if (count > 8) { a8 = V.MultiplyAdd(xp, V.Load(Column(8, count, col, last, w) + row), a8); }
            if (count > 9) { a9 = V.MultiplyAdd(xp, V.Load(Column(9, count, col, last, w) + row), a9); }
            if (count > 10) { a10 = V.MultiplyAdd(xp, V.Load(Column(10, count, col, last, w) + row), a10); }
            if (count > 11) { a11 = V.MultiplyAdd(xp, V.Load(Column(11, count, col, last, w) + row), a11); }
            if (count > 12) { a12 = V.MultiplyAdd(xp, V.Load(Column(12, count, col, last, w) + row), a12); }
        }

        // The last vector first: where it overlaps, only the lanes past the vector before it are stored, and none past n.
        int overlap = j + ((count - 1) * w) - lastStart, stop = Math.Min(w, n - lastStart);
        V lastSum = count switch
        {
            1 => a0, 2 => a1, 3 => a2, 4 => a3, 5 => a4, 6 => a5, 7 => a6, 8 => a7, 9 => a8, 10 => a9, 11 => a10, 12 => a11, _ => a12,
        };
        if (overlap == 0 && stop == w)
        {
            Store(c + lastStart, lastSum, alpha, beta);
        }
        else
        {
            float* lanes = stackalloc float[V.Count];
            StoreLanes(c + lastStart, lastSum, overlap, stop, alpha, beta, lanes);
        }

        float* target = c + j;
        if (count > 1) { Store(target, a0, alpha, beta); }
        if (count > 2) { Store(target + w, a1, alpha, beta); }
        if (count > 3) { Store(target + (2 * w), a2, alpha, beta); }
        if (count > 4) { Store(target + (3 * w), a3, alpha, beta); }
        if (count > 5) { Store(target + (4 * w), a4, alpha, beta); }
        if (count > 6) { Store(target + (5 * w), a5, alpha, beta); }
        if (count > 7) { Store(target + (6 * w), a6, alpha, beta); }
        if (count > 8) { Store(target + (7 * w), a7, alpha, beta); }
        if (count > 9) { Store(target + (8 * w), a8, alpha, beta); }
        if (count > 10) { Store(target + (9 * w), a9, alpha, beta); }
        if (count > 11) { Store(target + (10 * w), a10, alpha, beta); }
        if (count > 12) { Store(target + (11 * w), a11, alpha, beta); }
    }

    /// <summary>Where column vector <paramref name="index"/> of a pass is read: in sequence, except the last.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float* Column(int index, int count, float* col, float* last, int w) =>
        index == count - 1 ? last : col + (index * w);

    /// <summary>
    /// op(B) = B^T: each output is the dot product of x with a contiguous row of B. Four rows share each load of x and
    /// are reduced together; the depth short of a vector goes four lanes at a time where it can, then in scalar.
    /// (Eight accumulators, two per row, were measured no faster here.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dots<V>(int n, int k, float alpha, float* x, float* b, nint ldb, float beta, float* c)
        where V : struct, ILaneVector<V>
    {
        int w = V.Count;
        int kv = k - (k % w);
        int j = 0;
        for (; j <= n - 4; j += 4)
        {
            float* row0 = b + (j * ldb), row1 = row0 + ldb, row2 = row1 + ldb, row3 = row2 + ldb;
            V s0 = default, s1 = default, s2 = default, s3 = default;
            for (int p = 0; p < kv; p += w)
            {
                V xp = V.Load(x + p);
                s0 = V.MultiplyAdd(xp, V.Load(row0 + p), s0);
                s1 = V.MultiplyAdd(xp, V.Load(row1 + p), s1);
                s2 = V.MultiplyAdd(xp, V.Load(row2 + p), s2);
                s3 = V.MultiplyAdd(xp, V.Load(row3 + p), s3);
            }

            Vector128<float> sums = V.SumEach(s0, s1, s2, s3);
            int tail = kv;
            if (V.Count > Lanes4.Count && k - tail >= Lanes4.Count)
            {
                // Four more of the depth in 4-lane vectors (H = 100 on AVX2 ends in exactly four), instead of four
                // serial scalar chains per row.
                Lanes4 xq = Lanes4.Load(x + tail);
                sums += Lanes4.SumEach(xq * Lanes4.Load(row0 + tail), xq * Lanes4.Load(row1 + tail), xq * Lanes4.Load(row2 + tail), xq * Lanes4.Load(row3 + tail));
                tail += Lanes4.Count;
            }

            for (int p = tail; p < k; p++)
            {
                sums += Vector128.Create(x[p]) * Vector128.Create(row0[p], row1[p], row2[p], row3[p]);
            }

            // The four outputs as one vector, each lane as Combine computes it.
            Vector128<float> scaled = sums * Vector128.Create(alpha);
            Vector128.Store(beta == 0f ? scaled : scaled + (Vector128.Create(beta) * Vector128.Load(c + j)), c + j);
        }

        for (; j < n; j++)
        {
            float* row = b + (j * ldb);
            V s = default, t = default;
            int p = 0;
            for (; p <= kv - (2 * w); p += 2 * w)
            {
                s = V.MultiplyAdd(V.Load(x + p), V.Load(row + p), s);
                t = V.MultiplyAdd(V.Load(x + (p + w)), V.Load(row + (p + w)), t);
            }

            if (p < kv)
            {
                s = V.MultiplyAdd(V.Load(x + p), V.Load(row + p), s);
            }

            float d = V.Sum(s + t);
            for (p = kv; p < k; p++)
            {
                d += x[p] * row[p];
            }

            c[j] = Combine(d, alpha, beta, c[j]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsScalar(int j0, int n, int k, float alpha, float* x, float* b, nint ldb, float beta, float* c)
    {
        for (int j = j0; j < n; j++)
        {
            float s = 0f;
            for (int p = 0; p < k; p++)
            {
                s += x[p] * b[(p * ldb) + j];
            }

            c[j] = Combine(s, alpha, beta, c[j]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotsScalar(int j0, int n, int k, float alpha, float* x, float* b, nint ldb, float beta, float* c)
    {
        for (int j = j0; j < n; j++)
        {
            float* r = b + (j * ldb);
            float s = 0f;
            for (int p = 0; p < k; p++)
            {
                s += x[p] * r[p];
            }

            c[j] = Combine(s, alpha, beta, c[j]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<V>(float* c, V sum, float alpha, float beta)
        where V : struct, ILaneVector<V>
    {
        V scaled = sum * V.Broadcast(alpha);
        V.Store(beta == 0f ? scaled : V.MultiplyAdd(V.Broadcast(beta), V.Load(c), scaled), c);
    }

    /// <summary>alpha * sum + beta * c, without reading c's value into the result when beta == 0 (it may be NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Combine(float sum, float alpha, float beta, float c) =>
        beta == 0f ? alpha * sum : (alpha * sum) + (beta * c);

    private readonly struct ProductWork(Transpose transB, int n, int k, float alpha, float* x, float* b, nint ldb, float beta, float* c) : ILaneWork
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Run<V>()
            where V : struct, ILaneVector<V>
        {
            if (V.Count > 1)
            {
                Gemv.Run<V>(transB, n, k, alpha, x, b, ldb, beta, c);
            }
            else if (transB == Transpose.No)
            {
                RowsScalar(0, n, k, alpha, x, b, ldb, beta, c);
            }
            else
            {
                DotsScalar(0, n, k, alpha, x, b, ldb, beta, c);
            }
        }
    }
}
