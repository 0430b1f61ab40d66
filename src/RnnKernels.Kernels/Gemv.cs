using System.Numerics;
using System.Runtime.CompilerServices;

namespace RnnKernels.Kernels;

/// <summary>
/// The M = 1 fast path (a row vector times a matrix): no packing, B streamed once. A 6-row micro-kernel would waste
/// five sixths of its FMAs here, and packing B would cost as much as the product itself.
/// </summary>
internal static unsafe class Gemv
{
    /// <summary>
    /// c[j] = alpha * sum_p x[p] * op(B)(p, j) + beta * c[j] for j &lt; n, with x contiguous of length k.
    /// <paramref name="vectorized"/> false runs the scalar reference loops.
    /// </summary>
    public static void Run(Transpose transB, int n, int k, float alpha, float* x, float* b, nint ldb, float beta, float* c, bool vectorized)
    {
        if (transB == Transpose.No)
        {
            if (vectorized && Vector.IsHardwareAccelerated)
            {
                RowsVectorized(n, k, alpha, x, b, ldb, beta, c);
            }
            else
            {
                RowsScalar(0, n, k, alpha, x, b, ldb, beta, c);
            }
        }
        else
        {
            if (vectorized && Vector.IsHardwareAccelerated)
            {
                DotsVectorized(n, k, alpha, x, b, ldb, beta, c);
            }
            else
            {
                DotsScalar(0, n, k, alpha, x, b, ldb, beta, c);
            }
        }
    }

    /// <summary>op(B) = B: accumulate x[p] * B[p, j..] into a block of columns held in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsVectorized(int n, int k, float alpha, float* x, float* b, nint ldb, float beta, float* c)
    {
        int w = Vector<float>.Count;
        int j = 0;
        for (; j <= n - (4 * w); j += 4 * w)
        {
            Vector<float> s0 = default, s1 = default, s2 = default, s3 = default;
            float* col = b + j;
            for (int p = 0; p < k; p++)
            {
                Vector<float> xp = new(x[p]);
                float* row = col + (p * ldb);
                s0 = Vector.MultiplyAddEstimate(xp, Vector.Load(row), s0);
                s1 = Vector.MultiplyAddEstimate(xp, Vector.Load(row + w), s1);
                s2 = Vector.MultiplyAddEstimate(xp, Vector.Load(row + (2 * w)), s2);
                s3 = Vector.MultiplyAddEstimate(xp, Vector.Load(row + (3 * w)), s3);
            }

            Store(c + j, s0, alpha, beta);
            Store(c + j + w, s1, alpha, beta);
            Store(c + j + (2 * w), s2, alpha, beta);
            Store(c + j + (3 * w), s3, alpha, beta);
        }

        for (; j <= n - w; j += w)
        {
            Vector<float> s = default;
            for (int p = 0; p < k; p++)
            {
                s = Vector.MultiplyAddEstimate(new Vector<float>(x[p]), Vector.Load(b + j + (p * ldb)), s);
            }

            Store(c + j, s, alpha, beta);
        }

        RowsScalar(j, n, k, alpha, x, b, ldb, beta, c);
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

    /// <summary>op(B) = B^T: each output is the dot product of x with a contiguous row of B; four rows share each load of x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotsVectorized(int n, int k, float alpha, float* x, float* b, nint ldb, float beta, float* c)
    {
        int w = Vector<float>.Count;
        int kv = k - (k % w);
        int j = 0;
        for (; j <= n - 4; j += 4)
        {
            float* r0 = b + (j * ldb), r1 = r0 + ldb, r2 = r1 + ldb, r3 = r2 + ldb;
            Vector<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (int p = 0; p < kv; p += w)
            {
                Vector<float> xp = Vector.Load(x + p);
                s0 = Vector.MultiplyAddEstimate(xp, Vector.Load(r0 + p), s0);
                s1 = Vector.MultiplyAddEstimate(xp, Vector.Load(r1 + p), s1);
                s2 = Vector.MultiplyAddEstimate(xp, Vector.Load(r2 + p), s2);
                s3 = Vector.MultiplyAddEstimate(xp, Vector.Load(r3 + p), s3);
            }

            float t0 = Vector.Sum(s0), t1 = Vector.Sum(s1), t2 = Vector.Sum(s2), t3 = Vector.Sum(s3);
            for (int p = kv; p < k; p++)
            {
                float xv = x[p];
                t0 += xv * r0[p];
                t1 += xv * r1[p];
                t2 += xv * r2[p];
                t3 += xv * r3[p];
            }

            c[j] = Combine(t0, alpha, beta, c[j]);
            c[j + 1] = Combine(t1, alpha, beta, c[j + 1]);
            c[j + 2] = Combine(t2, alpha, beta, c[j + 2]);
            c[j + 3] = Combine(t3, alpha, beta, c[j + 3]);
        }

        for (; j < n; j++)
        {
            float* r = b + (j * ldb);
            Vector<float> s = default;
            for (int p = 0; p < kv; p += w)
            {
                s = Vector.MultiplyAddEstimate(Vector.Load(x + p), Vector.Load(r + p), s);
            }

            float t = Vector.Sum(s);
            for (int p = kv; p < k; p++)
            {
                t += x[p] * r[p];
            }

            c[j] = Combine(t, alpha, beta, c[j]);
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
    private static void Store(float* c, Vector<float> sum, float alpha, float beta)
    {
        Vector<float> scaled = sum * alpha;
        (beta == 0f ? scaled : Vector.MultiplyAddEstimate(new Vector<float>(beta), Vector.Load(c), scaled)).Store(c);
    }

    /// <summary>alpha * sum + beta * c, without reading c's value into the result when beta == 0 (it may be NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Combine(float sum, float alpha, float beta, float c) =>
        beta == 0f ? alpha * sum : (alpha * sum) + (beta * c);
}
