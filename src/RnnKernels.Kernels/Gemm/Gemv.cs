using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnKernels.Kernels;

/// <summary>
/// The M = 1 fast path (a row vector times a matrix): no packing, B streamed once. A 6-row micro-kernel would waste
/// five sixths of its FMAs here, and packing B would cost as much as the product itself.
/// </summary>
/// <remarks>
/// A recurrent step at batch 1 is two of these per time step (h W_R^T forward, dA W_R backward), so their latency is
/// the step's: the row form keeps eight independent accumulators in flight (two FMA pipes of four-cycle latency) and
/// finishes the columns that do not fill a vector with a vector, not a scalar loop per column; the dot form reduces
/// four rows' accumulators together (<see cref="ILaneVector{TSelf}.SumEach"/>).
/// </remarks>
internal static unsafe class Gemv
{
    /// <summary>
    /// c[j] = alpha * sum_p x[p] * op(B)(p, j) + beta * c[j] for j &lt; n, with x contiguous of length k, on
    /// <paramref name="tier"/> (<see cref="IsaTier.Scalar"/> runs the reference loops).
    /// </summary>
    public static void Run(IsaTier tier, Transpose transB, int n, int k, float alpha, float* x, float* b, nint ldb, float beta, float* c)
    {
        switch (tier)
        {
            case IsaTier.Avx512:
                Run<Lanes16>(transB, n, k, alpha, x, b, ldb, beta, c);
                break;
            case IsaTier.Avx2Fma:
                Run<Lanes8>(transB, n, k, alpha, x, b, ldb, beta, c);
                break;
            case IsaTier.Neon:
            case IsaTier.Vector128:
                Run<Lanes4>(transB, n, k, alpha, x, b, ldb, beta, c);
                break;
            default:
                if (transB == Transpose.No)
                {
                    RowsScalar(0, n, k, alpha, x, b, ldb, beta, c);
                }
                else
                {
                    DotsScalar(0, n, k, alpha, x, b, ldb, beta, c);
                }

                break;
        }
    }

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
    /// op(B) = B: accumulate x[p] * B[p, j..] into blocks of columns held in registers, even and odd p in separate
    /// accumulators. Columns short of a vector are computed as the last full vector of the row and only their lanes
    /// stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows<V>(int n, int k, float alpha, float* x, float* b, nint ldb, float beta, float* c)
        where V : struct, ILaneVector<V>
    {
        int w = V.Count;
        int j = 0;
        for (; j <= n - (4 * w); j += 4 * w)
        {
            V s0 = default, s1 = default, s2 = default, s3 = default, t0 = default, t1 = default, t2 = default, t3 = default;
            float* col = b + j;
            int p = 0;
            for (; p <= k - 2; p += 2)
            {
                V x0 = V.Broadcast(x[p]), x1 = V.Broadcast(x[p + 1]);
                float* r0 = col + (p * ldb), r1 = r0 + ldb;
                s0 = V.MultiplyAdd(x0, V.Load(r0), s0);
                s1 = V.MultiplyAdd(x0, V.Load(r0 + w), s1);
                s2 = V.MultiplyAdd(x0, V.Load(r0 + (2 * w)), s2);
                s3 = V.MultiplyAdd(x0, V.Load(r0 + (3 * w)), s3);
                t0 = V.MultiplyAdd(x1, V.Load(r1), t0);
                t1 = V.MultiplyAdd(x1, V.Load(r1 + w), t1);
                t2 = V.MultiplyAdd(x1, V.Load(r1 + (2 * w)), t2);
                t3 = V.MultiplyAdd(x1, V.Load(r1 + (3 * w)), t3);
            }

            if (p < k)
            {
                V xp = V.Broadcast(x[p]);
                float* r = col + (p * ldb);
                s0 = V.MultiplyAdd(xp, V.Load(r), s0);
                s1 = V.MultiplyAdd(xp, V.Load(r + w), s1);
                s2 = V.MultiplyAdd(xp, V.Load(r + (2 * w)), s2);
                s3 = V.MultiplyAdd(xp, V.Load(r + (3 * w)), s3);
            }

            Store(c + j, s0 + t0, alpha, beta);
            Store(c + j + w, s1 + t1, alpha, beta);
            Store(c + j + (2 * w), s2 + t2, alpha, beta);
            Store(c + j + (3 * w), s3 + t3, alpha, beta);
        }

        for (; j <= n - w; j += w)
        {
            Store(c + j, Column<V>(k, x, b + j, ldb), alpha, beta);
        }

        if (j == n)
        {
            return;
        }

        if (n < w)
        {
            RowsScalar(j, n, k, alpha, x, b, ldb, beta, c);
            return;
        }

        // The last w columns, of which the first (j - (n - w)) are already stored.
        float* sums = stackalloc float[V.Count];
        V.Store(Column<V>(k, x, b + n - w, ldb), sums);
        for (int lane = j - (n - w); lane < w; lane++)
        {
            c[n - w + lane] = Combine(sums[lane], alpha, beta, c[n - w + lane]);
        }
    }

    /// <summary>sum_p x[p] * B[p, 0..w) for the w columns at <paramref name="col"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Column<V>(int k, float* x, float* col, nint ldb)
        where V : struct, ILaneVector<V>
    {
        V s = default, t = default;
        int p = 0;
        for (; p <= k - 2; p += 2)
        {
            s = V.MultiplyAdd(V.Broadcast(x[p]), V.Load(col + (p * ldb)), s);
            t = V.MultiplyAdd(V.Broadcast(x[p + 1]), V.Load(col + ((p + 1) * ldb)), t);
        }

        if (p < k)
        {
            s = V.MultiplyAdd(V.Broadcast(x[p]), V.Load(col + (p * ldb)), s);
        }

        return s + t;
    }

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

            float d0 = sums.GetElement(0), d1 = sums.GetElement(1), d2 = sums.GetElement(2), d3 = sums.GetElement(3);
            for (int p = tail; p < k; p++)
            {
                float xv = x[p];
                d0 += xv * row0[p];
                d1 += xv * row1[p];
                d2 += xv * row2[p];
                d3 += xv * row3[p];
            }

            c[j] = Combine(d0, alpha, beta, c[j]);
            c[j + 1] = Combine(d1, alpha, beta, c[j + 1]);
            c[j + 2] = Combine(d2, alpha, beta, c[j + 2]);
            c[j + 3] = Combine(d3, alpha, beta, c[j + 3]);
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
}
