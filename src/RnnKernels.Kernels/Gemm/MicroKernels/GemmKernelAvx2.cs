using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnKernels.Kernels;

/// <summary>
/// AVX2+FMA 6x16 micro-kernel (the BLIS Haswell shape): 12 ymm accumulators, two B loads and one broadcast per k
/// step, so 12 FMAs per 3 loads. Blocking: an A block of MC x KC (144 KiB) lives in L2, a packed B micro-panel of
/// KC x NR (16 KiB) in L1 (a B read in place, <c>ldb</c> apart, comes from L2).
/// </summary>
/// <remarks>
/// One body, <see cref="RunTile{TRows, TCols, TUpdate}"/>, serves the whole tile, a last row tile of fewer rows (a
/// batch of 8 ends in a tile of two), and a last panel of columns that fit one of its two vectors (the 4 columns past
/// 96 of a hidden size of 100), each of which would otherwise be computed as a whole tile aside and merged. Each element is
/// computed the same way in all of them: the same k order, fused multiply-adds and alpha/beta update.
/// </remarks>
internal readonly unsafe struct GemmKernelAvx2 : IGemmMicroKernel, IRowCountKernel
{
    public static int MR => 6;

    public static int NR => 16;

    public static int MC => 144;

    public static int KC => 256;

    public static int NC => 3072;

    public static bool RunsEveryRowCount => true;

    public static void Run(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta) =>
        TileUpdateDispatch.Run<GemmKernelAvx2, Count6, Count2>(kc, a, b, ldb, c, ldc, alpha, beta);

    public static bool TryRunRows(int rows, nint kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta) =>
        rows < MR && RowCountDispatch.Run<GemmKernelAvx2, Count2>(rows, kc, a, b, ldb, c, ldc, alpha, beta);

    public static bool TryRunHalfWidth(int rows, nint kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta) =>
        RowCountDispatch.Run<GemmKernelAvx2, Count1>(rows, kc, a, b, ldb, c, ldc, alpha, beta);

    /// <summary>
    /// The 6x16 tile cut to TRows.Value rows and TCols.Value of its two column vectors, written into C as TUpdate
    /// says (JIT-time constants, so the unused registers, FMAs and update cases vanish).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunTile<TRows, TCols, TUpdate>(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta)
        where TRows : struct, ICount
        where TCols : struct, ICount
        where TUpdate : struct, ITileUpdate
    {
        int rows = TRows.Value, cols = TCols.Value;
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;

        TilePrefetch.Rows<TRows>(c, ldc, NR);

        for (nint p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Avx.LoadVector256(b);
            Vector256<float> b1 = cols > 1 ? Avx.LoadVector256(b + 8) : default;
            Vector256<float> ai = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(ai, b0, c00);
            if (cols > 1)
            {
                c01 = Fma.MultiplyAdd(ai, b1, c01);
            }

            if (rows > 1)
            {
                ai = Vector256.Create(a[1]);
                c10 = Fma.MultiplyAdd(ai, b0, c10);
                if (cols > 1)
                {
                    c11 = Fma.MultiplyAdd(ai, b1, c11);
                }
            }

            if (rows > 2)
            {
                ai = Vector256.Create(a[2]);
                c20 = Fma.MultiplyAdd(ai, b0, c20);
                if (cols > 1)
                {
                    c21 = Fma.MultiplyAdd(ai, b1, c21);
                }
            }

            if (rows > 3)
            {
                ai = Vector256.Create(a[3]);
                c30 = Fma.MultiplyAdd(ai, b0, c30);
                if (cols > 1)
                {
                    c31 = Fma.MultiplyAdd(ai, b1, c31);
                }
            }

            if (rows > 4)
            {
                ai = Vector256.Create(a[4]);
                c40 = Fma.MultiplyAdd(ai, b0, c40);
                if (cols > 1)
                {
                    c41 = Fma.MultiplyAdd(ai, b1, c41);
                }
            }

            if (rows > 5)
            {
                ai = Vector256.Create(a[5]);
                c50 = Fma.MultiplyAdd(ai, b0, c50);
                if (cols > 1)
                {
                    c51 = Fma.MultiplyAdd(ai, b1, c51);
                }
            }

            a += MR;
            b += ldb;
        }

        Lanes8 va = Lanes8.Broadcast(alpha), vb = Lanes8.Broadcast(beta);
        TileRowUpdate.Store<Lanes8, TCols, TUpdate>(c, new Lanes8(c00), new Lanes8(c01), va, vb);
        if (rows > 1)
        {
            TileRowUpdate.Store<Lanes8, TCols, TUpdate>(c + ldc, new Lanes8(c10), new Lanes8(c11), va, vb);
        }

        if (rows > 2)
        {
            TileRowUpdate.Store<Lanes8, TCols, TUpdate>(c + (2 * ldc), new Lanes8(c20), new Lanes8(c21), va, vb);
        }

        if (rows > 3)
        {
            TileRowUpdate.Store<Lanes8, TCols, TUpdate>(c + (3 * ldc), new Lanes8(c30), new Lanes8(c31), va, vb);
        }

        if (rows > 4)
        {
            TileRowUpdate.Store<Lanes8, TCols, TUpdate>(c + (4 * ldc), new Lanes8(c40), new Lanes8(c41), va, vb);
        }

        if (rows > 5)
        {
            TileRowUpdate.Store<Lanes8, TCols, TUpdate>(c + (5 * ldc), new Lanes8(c50), new Lanes8(c51), va, vb);
        }
    }
}
