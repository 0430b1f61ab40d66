using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace RnnKernels.Kernels;

/// <summary>
/// Arm64 NEON 8x8 micro-kernel: 16 q-register accumulators, FMLA by element so one load of A serves four rows
/// (the shape of BLIS's armv8a sgemm kernels, with 32 vector registers there is room for the 20 live values).
/// </summary>
internal readonly unsafe struct GemmKernelNeon : IGemmMicroKernel, IWholeTileKernel
{
    public static int MR => 8;

    public static int NR => 8;

    public static int MC => 128;

    public static int KC => 256;

    public static int NC => 2048;

    public static void Run(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta) =>
        TileUpdateDispatch.Run<GemmKernelNeon>(kc, a, b, ldb, c, ldc, alpha, beta);

    /// <summary>The whole tile, written into C as TUpdate says.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunTile<TUpdate>(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta)
        where TUpdate : struct, ITileUpdate
    {
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector128<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector128<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector128<float> c60 = default, c61 = default, c70 = default, c71 = default;
        for (nint p = 0; p < kc; p++)
        {
            Vector128<float> b0 = AdvSimd.LoadVector128(b);
            Vector128<float> b1 = AdvSimd.LoadVector128(b + 4);
            Vector128<float> a0 = AdvSimd.LoadVector128(a);
            Vector128<float> a1 = AdvSimd.LoadVector128(a + 4);
            c00 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c00, b0, a0, 0);
            c01 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c01, b1, a0, 0);
            c10 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c10, b0, a0, 1);
            c11 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c11, b1, a0, 1);
            c20 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c20, b0, a0, 2);
            c21 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c21, b1, a0, 2);
            c30 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c30, b0, a0, 3);
            c31 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c31, b1, a0, 3);
            c40 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c40, b0, a1, 0);
            c41 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c41, b1, a1, 0);
            c50 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c50, b0, a1, 1);
            c51 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c51, b1, a1, 1);
            c60 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c60, b0, a1, 2);
            c61 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c61, b1, a1, 2);
            c70 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c70, b0, a1, 3);
            c71 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c71, b1, a1, 3);
            a += MR;
            b += ldb;
        }

        Lanes4 va = Lanes4.Broadcast(alpha), vb = Lanes4.Broadcast(beta);
        TileRowUpdate.Store<Lanes4, Count2, TUpdate>(c, new Lanes4(c00), new Lanes4(c01), va, vb);
        TileRowUpdate.Store<Lanes4, Count2, TUpdate>(c + ldc, new Lanes4(c10), new Lanes4(c11), va, vb);
        TileRowUpdate.Store<Lanes4, Count2, TUpdate>(c + (2 * ldc), new Lanes4(c20), new Lanes4(c21), va, vb);
        TileRowUpdate.Store<Lanes4, Count2, TUpdate>(c + (3 * ldc), new Lanes4(c30), new Lanes4(c31), va, vb);
        TileRowUpdate.Store<Lanes4, Count2, TUpdate>(c + (4 * ldc), new Lanes4(c40), new Lanes4(c41), va, vb);
        TileRowUpdate.Store<Lanes4, Count2, TUpdate>(c + (5 * ldc), new Lanes4(c50), new Lanes4(c51), va, vb);
        TileRowUpdate.Store<Lanes4, Count2, TUpdate>(c + (6 * ldc), new Lanes4(c60), new Lanes4(c61), va, vb);
        TileRowUpdate.Store<Lanes4, Count2, TUpdate>(c + (7 * ldc), new Lanes4(c70), new Lanes4(c71), va, vb);
    }
}
