using System.Runtime.CompilerServices;

namespace RnnKernels.Kernels;

/// <summary>
/// The instance of a micro-kernel's tile for how a call's alpha and beta write it into C (<see cref="ITileUpdate"/>).
/// </summary>
internal static unsafe class TileUpdateDispatch
{
    /// <summary>TKernel's tile of TRows.Value rows and TCols.Value column vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TKernel, TRows, TCols>(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta)
        where TKernel : IRowCountKernel
        where TRows : struct, ICount
        where TCols : struct, ICount
    {
        if (beta == 0f)
        {
            TKernel.RunTile<TRows, TCols, OverwriteC>(kc, a, b, ldb, c, ldc, alpha, beta);
        }
        else if (alpha == 1f && beta == 1f)
        {
            TKernel.RunTile<TRows, TCols, AddToC>(kc, a, b, ldb, c, ldc, alpha, beta);
        }
        else
        {
            TKernel.RunTile<TRows, TCols, ScaleC>(kc, a, b, ldb, c, ldc, alpha, beta);
        }
    }

    /// <summary>TKernel's whole tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TKernel>(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta)
        where TKernel : IWholeTileKernel
    {
        if (beta == 0f)
        {
            TKernel.RunTile<OverwriteC>(kc, a, b, ldb, c, ldc, alpha, beta);
        }
        else if (alpha == 1f && beta == 1f)
        {
            TKernel.RunTile<AddToC>(kc, a, b, ldb, c, ldc, alpha, beta);
        }
        else
        {
            TKernel.RunTile<ScaleC>(kc, a, b, ldb, c, ldc, alpha, beta);
        }
    }
}
