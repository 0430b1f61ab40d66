using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnKernels.Kernels;

/// <summary>
/// AVX-512 8x32 micro-kernel: 16 zmm accumulators, two B loads and eight broadcasts per k step, so each broadcast
/// feeds 32 lanes of FMA (twice the AVX2 kernel's) and the loop issues half the instructions per flop.
/// </summary>
/// <remarks>
/// One body, <see cref="RunTile{TRows, TCols, TUpdate}"/>, serves the whole tile, a last row tile of fewer rows (the
/// 25 rows of a charrnn projection end in a tile of one), and a last panel of columns that fit one of its two vectors
/// (the 4 columns past 96 of a hidden size of 100), each of which would otherwise be computed as a whole tile aside and
/// merged. Each element is computed the same way in all of them: the same k order, fused multiply-adds and alpha/beta
/// update.
/// </remarks>
internal readonly unsafe struct GemmKernelAvx512 : IGemmMicroKernel, IRowCountKernel
{
    public static int MR => 8;

    public static int NR => 32;

    public static int MC => 128;

    public static int KC => 256;

    public static int NC => 3072;

    public static bool RunsEveryRowCount => true;

    public static void Run(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta) =>
        TileUpdateDispatch.Run<GemmKernelAvx512, Count8, Count2>(kc, a, b, ldb, c, ldc, alpha, beta);

    public static bool TryRunRows(int rows, nint kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta) =>
        rows < MR && RowCountDispatch.Run<GemmKernelAvx512, Count2>(rows, kc, a, b, ldb, c, ldc, alpha, beta);

    public static bool TryRunHalfWidth(int rows, nint kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta) =>
        RowCountDispatch.Run<GemmKernelAvx512, Count1>(rows, kc, a, b, ldb, c, ldc, alpha, beta);

    /// <summary>
    /// The 8x32 tile cut to TRows.Value rows and TCols.Value of its two column vectors, written into C as TUpdate
    /// says (JIT-time constants, so the unused registers, FMAs and update cases vanish).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunTile<TRows, TCols, TUpdate>(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta)
        where TRows : struct, ICount
        where TCols : struct, ICount
        where TUpdate : struct, ITileUpdate
    {
        int rows = TRows.Value, cols = TCols.Value;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;

        TilePrefetch.Rows<TRows>(c, ldc, NR);

        for (nint p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Avx512F.LoadVector512(b);
            Vector512<float> b1 = cols > 1 ? Avx512F.LoadVector512(b + 16) : default;
            Vector512<float> ai = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(ai, b0, c00);
            if (cols > 1)
            {
                c01 = Avx512F.FusedMultiplyAdd(ai, b1, c01);
            }

            if (rows > 1)
            {
                ai = Vector512.Create(a[1]);
                c10 = Avx512F.FusedMultiplyAdd(ai, b0, c10);
                if (cols > 1)
                {
                    c11 = Avx512F.FusedMultiplyAdd(ai, b1, c11);
                }
            }

            if (rows > 2)
            {
                ai = Vector512.Create(a[2]);
                c20 = Avx512F.FusedMultiplyAdd(ai, b0, c20);
                if (cols > 1)
                {
                    c21 = Avx512F.FusedMultiplyAdd(ai, b1, c21);
                }
            }

            if (rows > 3)
            {
                ai = Vector512.Create(a[3]);
                c30 = Avx512F.FusedMultiplyAdd(ai, b0, c30);
                if (cols > 1)
                {
                    c31 = Avx512F.FusedMultiplyAdd(ai, b1, c31);
                }
            }

            if (rows > 4)
            {
                ai = Vector512.Create(a[4]);
                c40 = Avx512F.FusedMultiplyAdd(ai, b0, c40);
                if (cols > 1)
                {
                    c41 = Avx512F.FusedMultiplyAdd(ai, b1, c41);
                }
            }

            if (rows > 5)
            {
                ai = Vector512.Create(a[5]);
                c50 = Avx512F.FusedMultiplyAdd(ai, b0, c50);
                if (cols > 1)
                {
                    c51 = Avx512F.FusedMultiplyAdd(ai, b1, c51);
                }
            }

            if (rows > 6)
            {
                ai = Vector512.Create(a[6]);
                c60 = Avx512F.FusedMultiplyAdd(ai, b0, c60);
                if (cols > 1)
                {
                    c61 = Avx512F.FusedMultiplyAdd(ai, b1, c61);
                }
            }

            if (rows > 7)
            {
                ai = Vector512.Create(a[7]);
                c70 = Avx512F.FusedMultiplyAdd(ai, b0, c70);
                if (cols > 1)
                {
                    c71 = Avx512F.FusedMultiplyAdd(ai, b1, c71);
                }
            }

            a += MR;
            b += ldb;
        }

        Lanes16 va = Lanes16.Broadcast(alpha), vb = Lanes16.Broadcast(beta);
        TileRowUpdate.Store<Lanes16, TCols, TUpdate>(c, new Lanes16(c00), new Lanes16(c01), va, vb);
        if (rows > 1)
        {
            TileRowUpdate.Store<Lanes16, TCols, TUpdate>(c + ldc, new Lanes16(c10), new Lanes16(c11), va, vb);
        }

        if (rows > 2)
        {
            TileRowUpdate.Store<Lanes16, TCols, TUpdate>(c + (2 * ldc), new Lanes16(c20), new Lanes16(c21), va, vb);
        }

        if (rows > 3)
        {
            TileRowUpdate.Store<Lanes16, TCols, TUpdate>(c + (3 * ldc), new Lanes16(c30), new Lanes16(c31), va, vb);
        }

        if (rows > 4)
        {
            TileRowUpdate.Store<Lanes16, TCols, TUpdate>(c + (4 * ldc), new Lanes16(c40), new Lanes16(c41), va, vb);
        }

        if (rows > 5)
        {
            TileRowUpdate.Store<Lanes16, TCols, TUpdate>(c + (5 * ldc), new Lanes16(c50), new Lanes16(c51), va, vb);
        }

        if (rows > 6)
        {
            TileRowUpdate.Store<Lanes16, TCols, TUpdate>(c + (6 * ldc), new Lanes16(c60), new Lanes16(c61), va, vb);
        }

        if (rows > 7)
        {
            TileRowUpdate.Store<Lanes16, TCols, TUpdate>(c + (7 * ldc), new Lanes16(c70), new Lanes16(c71), va, vb);
        }
    }
}
