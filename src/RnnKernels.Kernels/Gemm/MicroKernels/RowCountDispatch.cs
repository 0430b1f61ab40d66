namespace RnnKernels.Kernels;

/// <summary>The instance of a row-count kernel's tile (<see cref="IRowCountKernel"/>) for a run-time row count.</summary>
internal static unsafe class RowCountDispatch
{
    /// <summary>
    /// The first <paramref name="rows"/> (1 to MR) rows of TKernel's tile, TCols of its column vectors wide; false,
    /// and nothing touched, for another count.
    /// </summary>
    public static bool Run<TKernel, TCols>(int rows, nint kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta)
        where TKernel : IRowCountKernel
        where TCols : struct, ICount
    {
        if (rows > TKernel.MR)
        {
            return false;
        }

        switch (rows)
        {
            case 1:
                TileUpdateDispatch.Run<TKernel, Count1, TCols>(kc, a, b, ldb, c, ldc, alpha, beta);
                return true;
            case 2:
                TileUpdateDispatch.Run<TKernel, Count2, TCols>(kc, a, b, ldb, c, ldc, alpha, beta);
                return true;
            case 3:
                TileUpdateDispatch.Run<TKernel, Count3, TCols>(kc, a, b, ldb, c, ldc, alpha, beta);
                return true;
            case 4:
                TileUpdateDispatch.Run<TKernel, Count4, TCols>(kc, a, b, ldb, c, ldc, alpha, beta);
                return true;
            case 5:
                TileUpdateDispatch.Run<TKernel, Count5, TCols>(kc, a, b, ldb, c, ldc, alpha, beta);
                return true;
            case 6:
                TileUpdateDispatch.Run<TKernel, Count6, TCols>(kc, a, b, ldb, c, ldc, alpha, beta);
                return true;
            case 7:
                TileUpdateDispatch.Run<TKernel, Count7, TCols>(kc, a, b, ldb, c, ldc, alpha, beta);
                return true;
            case 8:
                TileUpdateDispatch.Run<TKernel, Count8, TCols>(kc, a, b, ldb, c, ldc, alpha, beta);
                return true;
            default:
                return false;
        }
    }
}
