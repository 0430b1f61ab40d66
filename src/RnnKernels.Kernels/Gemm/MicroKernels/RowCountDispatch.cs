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
                TKernel.RunTile<Count1, TCols>(kc, a, b, ldb, c, ldc, alpha, beta);
                return true;
            case 2:
                TKernel.RunTile<Count2, TCols>(kc, a, b, ldb, c, ldc, alpha, beta);
                return true;
            case 3:
                TKernel.RunTile<Count3, TCols>(kc, a, b, ldb, c, ldc, alpha, beta);
                return true;
            case 4:
                TKernel.RunTile<Count4, TCols>(kc, a, b, ldb, c, ldc, alpha, beta);
                return true;
            case 5:
                TKernel.RunTile<Count5, TCols>(kc, a, b, ldb, c, ldc, alpha, beta);
                return true;
            case 6:
                TKernel.RunTile<Count6, TCols>(kc, a, b, ldb, c, ldc, alpha, beta);
                return true;
            case 7:
                TKernel.RunTile<Count7, TCols>(kc, a, b, ldb, c, ldc, alpha, beta);
                return true;
            case 8:
                TKernel.RunTile<Count8, TCols>(kc, a, b, ldb, c, ldc, alpha, beta);
                return true;
            default:
                return false;
        }
    }
}
