using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnKernels.Kernels;

/// <summary>
/// AVX2+FMA 6x16 micro-kernel (the BLIS Haswell shape): 12 ymm accumulators, two B loads and one broadcast per k
/// step, so 12 FMAs per 3 loads. Blocking: an A block of MC x KC (144 KiB) lives in L2, a B micro-panel of
/// KC x NR (16 KiB) in L1. A last row tile of fewer than six rows has a kernel of its own height.
/// </summary>
internal readonly unsafe struct GemmKernelAvx2 : IGemmMicroKernel
{
    public static int MR => 6;

    public static int NR => 16;

    public static int MC => 144;

    public static int KC => 256;

    public static int NC => 3072;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(nint kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        // The C tile is fetched while the k loop runs, so the update at the end does not wait on memory.
        for (nint i = 0; i < MR; i++)
        {
            Sse.Prefetch0(c + (i * ldc));
            Sse.Prefetch0(c + (i * ldc) + 15);
        }

        // Unrolled by two k steps: halves the loop overhead against the 24 FMAs per iteration.
        nint p = 0;
        for (; p + 1 < kc; p += 2)
        {
            Step(a, b, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            Step(a + MR, b + NR, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            a += 2 * MR;
            b += 2 * NR;
        }

        if (p < kc)
        {
            Step(a, b, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
        }

        Vector256<float> va = Vector256.Create(alpha);
        if (beta == 0f)
        {
            // beta == 0 must not read C: it may hold NaN from a pooled buffer.
            Avx.Store(c, c00 * va);
            Avx.Store(c + 8, c01 * va);
            Avx.Store(c + ldc, c10 * va);
            Avx.Store(c + ldc + 8, c11 * va);
            Avx.Store(c + (2 * ldc), c20 * va);
            Avx.Store(c + (2 * ldc) + 8, c21 * va);
            Avx.Store(c + (3 * ldc), c30 * va);
            Avx.Store(c + (3 * ldc) + 8, c31 * va);
            Avx.Store(c + (4 * ldc), c40 * va);
            Avx.Store(c + (4 * ldc) + 8, c41 * va);
            Avx.Store(c + (5 * ldc), c50 * va);
            Avx.Store(c + (5 * ldc) + 8, c51 * va);
            return;
        }

        Vector256<float> vb = Vector256.Create(beta);
        Update(c, c00, va, vb);
        Update(c + 8, c01, va, vb);
        Update(c + ldc, c10, va, vb);
        Update(c + ldc + 8, c11, va, vb);
        Update(c + (2 * ldc), c20, va, vb);
        Update(c + (2 * ldc) + 8, c21, va, vb);
        Update(c + (3 * ldc), c30, va, vb);
        Update(c + (3 * ldc) + 8, c31, va, vb);
        Update(c + (4 * ldc), c40, va, vb);
        Update(c + (4 * ldc) + 8, c41, va, vb);
        Update(c + (5 * ldc), c50, va, vb);
        Update(c + (5 * ldc) + 8, c51, va, vb);
    }

    /// <summary>
    /// A last row tile of 1 to 5 rows gets a kernel of its own height, written to C directly: a batch of 8 ends in a
    /// tile of two rows, which a whole 6-row tile would compute at three times the cost and then merge.
    /// </summary>
    public static bool TryRunRows(int rows, nint kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        switch (rows)
        {
            case 1:
                RunRows<Rows1>(kc, a, b, c, ldc, alpha, beta);
                return true;
            case 2:
                RunRows<Rows2>(kc, a, b, c, ldc, alpha, beta);
                return true;
            case 3:
                RunRows<Rows3>(kc, a, b, c, ldc, alpha, beta);
                return true;
            case 4:
                RunRows<Rows4>(kc, a, b, c, ldc, alpha, beta);
                return true;
            case 5:
                RunRows<Rows5>(kc, a, b, c, ldc, alpha, beta);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The 6x16 kernel cut to TRows.Count rows (a JIT-time constant, so the unused rows vanish).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunRows<TRows>(nint kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
        where TRows : struct, IRowCount
    {
        int rows = TRows.Count;
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default;
        for (nint p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Avx.LoadVector256(b);
            Vector256<float> b1 = Avx.LoadVector256(b + 8);
            Vector256<float> ai = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(ai, b0, c00);
            c01 = Fma.MultiplyAdd(ai, b1, c01);
            if (rows > 1)
            {
                ai = Vector256.Create(a[1]);
                c10 = Fma.MultiplyAdd(ai, b0, c10);
                c11 = Fma.MultiplyAdd(ai, b1, c11);
            }

            if (rows > 2)
            {
                ai = Vector256.Create(a[2]);
                c20 = Fma.MultiplyAdd(ai, b0, c20);
                c21 = Fma.MultiplyAdd(ai, b1, c21);
            }

            if (rows > 3)
            {
                ai = Vector256.Create(a[3]);
                c30 = Fma.MultiplyAdd(ai, b0, c30);
                c31 = Fma.MultiplyAdd(ai, b1, c31);
            }

            if (rows > 4)
            {
                ai = Vector256.Create(a[4]);
                c40 = Fma.MultiplyAdd(ai, b0, c40);
                c41 = Fma.MultiplyAdd(ai, b1, c41);
            }

            a += MR;
            b += NR;
        }

        Vector256<float> va = Vector256.Create(alpha);
        Vector256<float> vb = Vector256.Create(beta);
        Write(c, c00, va, vb, beta);
        Write(c + 8, c01, va, vb, beta);
        if (rows > 1)
        {
            Write(c + ldc, c10, va, vb, beta);
            Write(c + ldc + 8, c11, va, vb, beta);
        }

        if (rows > 2)
        {
            Write(c + (2 * ldc), c20, va, vb, beta);
            Write(c + (2 * ldc) + 8, c21, va, vb, beta);
        }

        if (rows > 3)
        {
            Write(c + (3 * ldc), c30, va, vb, beta);
            Write(c + (3 * ldc) + 8, c31, va, vb, beta);
        }

        if (rows > 4)
        {
            Write(c + (4 * ldc), c40, va, vb, beta);
            Write(c + (4 * ldc) + 8, c41, va, vb, beta);
        }
    }

    /// <summary>One k step: two B vectors times six broadcast A values into the 6 x 16 accumulator tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(
        float* a, float* b,
        ref Vector256<float> c00, ref Vector256<float> c01, ref Vector256<float> c10, ref Vector256<float> c11,
        ref Vector256<float> c20, ref Vector256<float> c21, ref Vector256<float> c30, ref Vector256<float> c31,
        ref Vector256<float> c40, ref Vector256<float> c41, ref Vector256<float> c50, ref Vector256<float> c51)
    {
        Vector256<float> b0 = Avx.LoadVector256(b);
        Vector256<float> b1 = Avx.LoadVector256(b + 8);
        Vector256<float> ai = Vector256.Create(a[0]);
        c00 = Fma.MultiplyAdd(ai, b0, c00);
        c01 = Fma.MultiplyAdd(ai, b1, c01);
        ai = Vector256.Create(a[1]);
        c10 = Fma.MultiplyAdd(ai, b0, c10);
        c11 = Fma.MultiplyAdd(ai, b1, c11);
        ai = Vector256.Create(a[2]);
        c20 = Fma.MultiplyAdd(ai, b0, c20);
        c21 = Fma.MultiplyAdd(ai, b1, c21);
        ai = Vector256.Create(a[3]);
        c30 = Fma.MultiplyAdd(ai, b0, c30);
        c31 = Fma.MultiplyAdd(ai, b1, c31);
        ai = Vector256.Create(a[4]);
        c40 = Fma.MultiplyAdd(ai, b0, c40);
        c41 = Fma.MultiplyAdd(ai, b1, c41);
        ai = Vector256.Create(a[5]);
        c50 = Fma.MultiplyAdd(ai, b0, c50);
        c51 = Fma.MultiplyAdd(ai, b1, c51);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* c, Vector256<float> sum, Vector256<float> alpha, Vector256<float> beta) =>
        Avx.Store(c, Fma.MultiplyAdd(beta, Avx.LoadVector256(c), sum * alpha));

    /// <summary>alpha * sum, or with beta * C added as <see cref="Update"/> does; beta == 0 never reads C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Write(float* c, Vector256<float> sum, Vector256<float> alpha, Vector256<float> beta, float betaValue)
    {
        if (betaValue == 0f)
        {
            Avx.Store(c, sum * alpha);
        }
        else
        {
            Update(c, sum, alpha, beta);
        }
    }
}
