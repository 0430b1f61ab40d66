using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnKernels.Kernels;

/// <summary>Portable 4x8 micro-kernel on <see cref="Vector128{T}"/> (SSE on x64 without AVX2): 8 accumulators.</summary>
internal readonly unsafe struct GemmKernelVector128 : IGemmMicroKernel, IWholeTileKernel
{
    public static int MR => 4;

    public static int NR => 8;

    public static int MC => 128;

    public static int KC => 256;

    public static int NC => 2048;

    public static void Run(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta) =>
        TileUpdateDispatch.Run<GemmKernelVector128>(kc, a, b, ldb, c, ldc, alpha, beta);

    /// <summary>The whole tile, written into C as TUpdate says.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunTile<TUpdate>(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta)
        where TUpdate : struct, ITileUpdate
    {
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector128<float> c20 = default, c21 = default, c30 = default, c31 = default;
        for (nint p = 0; p < kc; p++)
        {
            Vector128<float> b0 = Vector128.Load(b);
            Vector128<float> b1 = Vector128.Load(b + 4);
            Vector128<float> a0 = Vector128.Create(a[0]);
            c00 = Vector128.MultiplyAddEstimate(a0, b0, c00);
            c01 = Vector128.MultiplyAddEstimate(a0, b1, c01);
            Vector128<float> a1 = Vector128.Create(a[1]);
            c10 = Vector128.MultiplyAddEstimate(a1, b0, c10);
            c11 = Vector128.MultiplyAddEstimate(a1, b1, c11);
            Vector128<float> a2 = Vector128.Create(a[2]);
            c20 = Vector128.MultiplyAddEstimate(a2, b0, c20);
            c21 = Vector128.MultiplyAddEstimate(a2, b1, c21);
            Vector128<float> a3 = Vector128.Create(a[3]);
            c30 = Vector128.MultiplyAddEstimate(a3, b0, c30);
            c31 = Vector128.MultiplyAddEstimate(a3, b1, c31);
            a += MR;
            b += ldb;
        }

        Lanes4 va = Lanes4.Broadcast(alpha), vb = Lanes4.Broadcast(beta);
        TileRowUpdate.Store<Lanes4, Count2, TUpdate>(c, new Lanes4(c00), new Lanes4(c01), va, vb);
        TileRowUpdate.Store<Lanes4, Count2, TUpdate>(c + ldc, new Lanes4(c10), new Lanes4(c11), va, vb);
        TileRowUpdate.Store<Lanes4, Count2, TUpdate>(c + (2 * ldc), new Lanes4(c20), new Lanes4(c21), va, vb);
        TileRowUpdate.Store<Lanes4, Count2, TUpdate>(c + (3 * ldc), new Lanes4(c30), new Lanes4(c31), va, vb);
    }
}
