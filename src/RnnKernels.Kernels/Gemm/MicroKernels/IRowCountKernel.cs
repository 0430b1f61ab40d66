namespace RnnKernels.Kernels;

/// <summary>
/// A micro-kernel written once over its tile's row count and column vectors, both JIT-time constants (the AVX2 and
/// AVX-512 kernels): <see cref="RowCountDispatch.Run{TKernel, TCols}"/> picks the instance for a row count known only
/// at run time.
/// </summary>
internal unsafe interface IRowCountKernel
{
    /// <summary>Rows of the whole register tile.</summary>
    static abstract int MR { get; }

    /// <summary>
    /// The tile cut to TRows.Value rows and TCols.Value column vectors, written into C as TUpdate says: the product of
    /// <see cref="IGemmMicroKernel.Run"/> for those rows and columns, the same arithmetic for each element.
    /// </summary>
    static abstract void RunTile<TRows, TCols, TUpdate>(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta)
        where TRows : struct, ICount
        where TCols : struct, ICount
        where TUpdate : struct, ITileUpdate;
}
