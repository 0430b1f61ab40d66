namespace RnnKernels.Kernels;

/// <summary>
/// A micro-kernel that computes only its whole tile (the NEON and Vector128 kernels), written once over how the tile
/// goes into C: <see cref="TileUpdateDispatch.Run{TKernel}"/> picks the instance for the alpha and beta of a call.
/// </summary>
internal unsafe interface IWholeTileKernel
{
    /// <summary>The product of <see cref="IGemmMicroKernel.Run"/>, written into C as TUpdate says.</summary>
    static abstract void RunTile<TUpdate>(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta)
        where TUpdate : struct, ITileUpdate;
}
